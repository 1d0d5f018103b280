using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Runs every case of testdata/manifest.json (the golden cases every language runs) through the
/// public C# API and expects the same width, height and pixel SHA-256, or the same error code.
/// A case with a <c>"thumbnail"</c> object loads its input with <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/>
/// instead of <see cref="Image.Open(string, DecodeLimits?)"/>; its <c>ops</c> then apply as usual.
/// </summary>
/// <remarks>
/// Operations are found by name: <c>adjust_brightness</c> is <see cref="Image.AdjustBrightness"/>
/// and parameters are matched by name, so the manifest exercises the generated methods exactly
/// as a user calls them. Argument errors that C# reports itself (<see cref="ArgumentException"/>,
/// e.g. a negative value for an unsigned parameter) count as <c>InvalidArgument</c>.
/// </remarks>
public sealed class ManifestTests
{
    internal static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(LoadCases);

    public static IEnumerable<object[]> CaseNames() => Cases.Value.Keys.Select(name => new object[] { name });

    [Fact]
    public void ManifestHasCases()
    {
        Assert.NotEmpty(Cases.Value);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case(string name) => Check(Cases.Value[name]);

    /// <summary>Runs one case and checks its <c>expect</c>.</summary>
    internal static void Check(JsonElement testCase)
    {
        var (outcome, image) = Run(testCase);
        CheckOutcome(testCase, outcome, image);
    }

    /// <summary>Checks a case's outcome (an error code name, or "Ok" and its final image, disposed here) against its <c>expect</c>.</summary>
    internal static void CheckOutcome(JsonElement testCase, string outcome, Image? image)
    {
        var expect = testCase.GetProperty("expect");
        using (image)
        {
            if (expect.TryGetProperty("error", out var error))
            {
                Assert.True(image is null, $"expected error {error.GetString()}, but the case succeeded with {image}");
                Assert.Equal(error.GetString(), outcome);
                return;
            }
            Assert.True(image is not null, $"expected an image, got error {outcome}");
            Assert.Equal(expect.GetProperty("width").GetInt32(), image!.Width);
            Assert.Equal(expect.GetProperty("height").GetInt32(), image.Height);
            Assert.Equal(expect.GetProperty("sha256").GetString()!.ToLowerInvariant(), TestData.PixelSha256(image));
        }
    }

    /// <summary>Runs one case; returns (error code name, null) or ("Ok", final image).</summary>
    internal static (string Outcome, Image? Image) Run(JsonElement testCase)
    {
        Image? current = null;
        try
        {
            var input = TestData.PathOf(testCase.GetProperty("input").GetString()!);
            current = testCase.TryGetProperty("thumbnail", out var thumbnail)
                ? OpenThumbnail(input, thumbnail)
                : Image.Open(input);
            foreach (var op in testCase.GetProperty("ops").EnumerateArray())
            {
                var next = ManifestOps.Apply(current, op);
                if (next is not null)
                {
                    current.Dispose();
                    current = next;
                }
            }
            var result = current;
            current = null;
            return ("Ok", result);
        }
        catch (PixbridgeException e)
        {
            Assert.NotEqual("Enum variant mismatch.", e.Message);
            return (e.Code.ToString(), null);
        }
        catch (ArgumentException)
        {
            return (nameof(ErrorCode.InvalidArgument), null);
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>The keys of a case's <c>"thumbnail"</c> object, all required (docs/design.md).</summary>
    private static readonly string[] ThumbnailKeys = { "width", "height", "fit", "allow_upscale" };

    /// <summary>
    /// Loads the input of a case with <c>"thumbnail": {"width", "height", "fit", "allow_upscale"}</c>
    /// through <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/>
    /// instead of <see cref="Image.Open(string, DecodeLimits?)"/>, with the default limits.
    /// <c>fit</c> is a <see cref="ThumbnailFit"/> name spelled exactly (<c>"Contain"</c>,
    /// <c>"Cover"</c>, <c>"Fill"</c>) and <c>allow_upscale</c> a boolean; a missing or unknown key or
    /// another fit is a mistake in the manifest and fails the case. Sizes are passed as given; one
    /// that C# cannot pass (above <c>int.MaxValue</c>) is an <see cref="ArgumentOutOfRangeException"/>,
    /// which the runner counts as InvalidArgument, as for operations.
    /// </summary>
    private static Image OpenThumbnail(string input, JsonElement thumbnail)
    {
        var (width, height, fit, options) = ThumbnailArguments(thumbnail);
        return Image.Thumbnail(input, width, height, fit, options);
    }

    /// <summary>The arguments of a case's <c>"thumbnail"</c> object; see <see cref="OpenThumbnail"/>.</summary>
    internal static (int Width, int Height, ThumbnailFit Fit, ThumbnailOptions Options) ThumbnailArguments(JsonElement thumbnail)
    {
        var keys = thumbnail.EnumerateObject().Select(p => p.Name).ToList();
        var unknown = keys.Except(ThumbnailKeys).ToList();
        var missing = ThumbnailKeys.Except(keys).ToList();
        Assert.True(unknown.Count == 0 && missing.Count == 0,
            $"manifest thumbnail: unknown keys [{string.Join(", ", unknown)}], missing keys [{string.Join(", ", missing)}]");
        var width = Int32Of(thumbnail, "width");
        var height = Int32Of(thumbnail, "height");
        var fitName = thumbnail.GetProperty("fit").GetString();
        var fit = Enum.GetValues<ThumbnailFit>().Where(f => f.ToString() == fitName).Cast<ThumbnailFit?>().FirstOrDefault()
            ?? throw new InvalidOperationException($"manifest thumbnail fit {fitName} is not a ThumbnailFit name (Contain, Cover, Fill)");
        var allowUpscale = thumbnail.GetProperty("allow_upscale").GetBoolean();
        return (width, height, fit, new ThumbnailOptions { AllowUpscale = allowUpscale });
    }

    /// <summary>A whole number of the thumbnail object; one that does not fit an <see cref="int"/> is an argument error.</summary>
    private static int Int32Of(JsonElement thumbnail, string key)
    {
        var value = thumbnail.GetProperty(key);
        try
        {
            return checked((int)value.GetInt64());
        }
        catch (OverflowException e)
        {
            throw new ArgumentOutOfRangeException($"manifest thumbnail {key} {value} does not fit an int", e);
        }
    }

    private static Dictionary<string, JsonElement> LoadCases()
    {
        var path = TestData.PathOf("manifest.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var cases = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var testCase in root.GetProperty("cases").EnumerateArray())
        {
            var name = testCase.GetProperty("name").GetString()!;
            if (!cases.TryAdd(name, testCase))
            {
                throw new InvalidDataException($"duplicate manifest case name {name}");
            }
        }
        return cases;
    }
}
