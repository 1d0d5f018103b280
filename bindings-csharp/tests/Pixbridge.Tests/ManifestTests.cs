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
/// </summary>
/// <remarks>
/// Operations are found by name: <c>adjust_brightness</c> is <see cref="Image.AdjustBrightness"/>
/// and parameters are matched by name, so the manifest exercises the generated methods exactly
/// as a user calls them. Argument errors that C# reports itself (<see cref="ArgumentException"/>,
/// e.g. a negative value for an unsigned parameter) count as <c>InvalidArgument</c>.
/// </remarks>
public sealed class ManifestTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(LoadCases);

    public static IEnumerable<object[]> CaseNames() => Cases.Value.Keys.Select(name => new object[] { name });

    [Fact]
    public void ManifestHasCases()
    {
        Assert.NotEmpty(Cases.Value);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case(string name)
    {
        var testCase = Cases.Value[name];
        var expect = testCase.GetProperty("expect");
        var (outcome, image) = Run(testCase);
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
    private static (string Outcome, Image? Image) Run(JsonElement testCase)
    {
        Image? current = null;
        try
        {
            current = Image.Open(TestData.PathOf(testCase.GetProperty("input").GetString()!));
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
