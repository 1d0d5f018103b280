using System;
using System.Text.Json;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// The manifest runner's <c>"thumbnail"</c> key, on inline cases (the golden manifest's own
/// thumbnail cases run in <see cref="ManifestTests"/> once they are in testdata/manifest.json).
/// Expected hashes here come from calling the API directly: these tests check the runner's
/// plumbing, not the pixels.
/// </summary>
public sealed class ManifestThumbnailTests
{
    private static JsonElement Case(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Expect(Image image) =>
        $$"""{ "width": {{image.Width}}, "height": {{image.Height}}, "sha256": "{{TestData.PixelSha256(image)}}" }""";

    [Fact]
    public void ThumbnailReplacesOpenAndOpsApplyAfterIt()
    {
        using var expected = Image.Thumbnail(TestData.PathOf("rocket.jpg"), 200, 150, ThumbnailFit.Cover);
        expected.Mirror();
        ManifestTests.Check(Case($$"""
            { "name": "inline-thumbnail-cover-mirror", "input": "rocket.jpg",
              "thumbnail": { "width": 200, "height": 150, "fit": "Cover", "allow_upscale": false },
              "ops": [ { "op": "mirror" } ],
              "expect": {{Expect(expected)}} }
            """));
    }

    [Fact]
    public void AllowUpscaleIsPassedOn()
    {
        var input = TestData.PathOf("gradient-64x48.png");
        using var kept = Image.Thumbnail(input, 128, 128, ThumbnailFit.Fill);
        Assert.Equal((64, 48), (kept.Width, kept.Height));
        ManifestTests.Check(Case($$"""
            { "name": "inline-no-upscale", "input": "gradient-64x48.png",
              "thumbnail": { "width": 128, "height": 128, "fit": "Fill", "allow_upscale": false }, "ops": [],
              "expect": {{Expect(kept)}} }
            """));

        using var enlarged = Image.Thumbnail(input, 128, 128, ThumbnailFit.Fill, new ThumbnailOptions { AllowUpscale = true });
        Assert.Equal((128, 128), (enlarged.Width, enlarged.Height));
        ManifestTests.Check(Case($$"""
            { "name": "inline-upscale", "input": "gradient-64x48.png",
              "thumbnail": { "width": 128, "height": 128, "fit": "Fill", "allow_upscale": true }, "ops": [],
              "expect": {{Expect(enlarged)}} }
            """));
    }

    [Theory]
    [InlineData("rocket.jpg", """{ "width": 0, "height": 100, "fit": "Contain", "allow_upscale": false }""", "InvalidArgument")]
    [InlineData("rocket.jpg", """{ "width": -4, "height": 100, "fit": "Contain", "allow_upscale": false }""", "InvalidArgument")]
    [InlineData("rocket.jpg", """{ "width": 4294967295, "height": 100, "fit": "Cover", "allow_upscale": false }""", "InvalidArgument")]
    [InlineData("rocket.jpg", """{ "width": 40000, "height": 100, "fit": "Fill", "allow_upscale": true }""", "InvalidArgument")]
    [InlineData("no-such-file.jpg", """{ "width": 100, "height": 100, "fit": "Contain", "allow_upscale": false }""", "NotFound")]
    [InlineData("truncated-64x48.png", """{ "width": 10, "height": 10, "fit": "Fill", "allow_upscale": false }""", "Decode")]
    [InlineData("not-an-image.png", """{ "width": 10, "height": 10, "fit": "Cover", "allow_upscale": false }""", "UnsupportedFormat")]
    public void ErrorCasesReportTheCode(string input, string thumbnail, string error)
    {
        ManifestTests.Check(Case($$"""
            { "name": "inline-error", "input": "{{input}}", "thumbnail": {{thumbnail}}, "ops": [],
              "expect": { "error": "{{error}}" } }
            """));
    }

    [Fact]
    public void ErrorsOfLaterOpsAreReportedToo()
    {
        ManifestTests.Check(Case("""
            { "name": "inline-op-error", "input": "rocket.jpg", "thumbnail": { "width": 64, "height": 64, "fit": "Contain", "allow_upscale": false },
              "ops": [ { "op": "crop", "x": 60, "y": 0, "width": 10, "height": 10 } ],
              "expect": { "error": "InvalidArgument" } }
            """));
    }

    /// <summary>Mistakes in the manifest fail the case instead of passing as an expected error.</summary>
    [Theory]
    [InlineData("""{ "width": 64, "height": 64, "fit": "Cover", "allow_upscale": false, "fitt": "Cover" }""", "fitt")]
    [InlineData("""{ "width": 64, "height": 64, "fit": "Cover" }""", "allow_upscale")]
    [InlineData("""{ "width": 64, "height": 64, "allow_upscale": false }""", "fit")]
    [InlineData("""{ "width": 64, "height": 64, "fit": "cover", "allow_upscale": false }""", "cover")]
    [InlineData("""{ "width": 64, "height": 64, "fit": "Squash", "allow_upscale": false }""", "Squash")]
    public void ManifestMistakesFailTheCase(string thumbnail, string named)
    {
        var e = Assert.ThrowsAny<Exception>(() => ManifestTests.Check(Case($$"""
            { "name": "inline-mistake", "input": "rocket.jpg", "thumbnail": {{thumbnail}},
              "ops": [], "expect": { "error": "InvalidArgument" } }
            """)));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void CasesWithoutTheKeyStillOpenTheInput()
    {
        using var expected = Image.Open(TestData.PathOf("gradient-64x48.png"));
        ManifestTests.Check(Case($$"""
            { "name": "inline-open", "input": "gradient-64x48.png", "ops": [], "expect": {{Expect(expected)}} }
            """));
    }
}
