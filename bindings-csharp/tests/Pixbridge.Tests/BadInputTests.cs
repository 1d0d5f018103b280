using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Runs every case of testdata/bad/manifest.json (the bad-input corpus of issue 6) through the
/// public C# API and expects the same error code name, or size, as the Rust and Java suites.
/// </summary>
/// <remarks>
/// Cases marked <c>"argument_error": true</c> may instead be refused by C# itself with an
/// <see cref="ArgumentException"/> (e.g. a 32-bit unsigned value above <c>int.MaxValue</c>).
/// </remarks>
public sealed class BadInputTests
{
    private const string ArgumentRefused = "ArgumentRefused";

    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(LoadCases);

    public static IEnumerable<object[]> CaseNames() => Cases.Value.Keys.Select(name => new object[] { name });

    [Fact]
    public void CorpusHasAtLeastFortyCases()
    {
        Assert.True(Cases.Value.Count >= 40, $"issue 6 asks for at least 40 cases, found {Cases.Value.Count}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case(string name)
    {
        var testCase = Cases.Value[name];
        var expect = testCase.GetProperty("expect");
        var expected = expect.TryGetProperty("error", out var error)
            ? error.GetString()!
            : $"Ok {expect.GetProperty("width").GetInt32()}x{expect.GetProperty("height").GetInt32()}";
        string outcome;
        try
        {
            outcome = Run(testCase);
        }
        catch (PixbridgeException e)
        {
            Assert.False(string.IsNullOrEmpty(e.Message), "the native message is empty");
            outcome = e.Code.ToString();
        }
        catch (ArgumentException)
        {
            outcome = ArgumentRefused;
        }
        if (outcome == ArgumentRefused && testCase.TryGetProperty("argument_error", out var argumentError) && argumentError.GetBoolean())
        {
            return;
        }
        Assert.Equal(expected, outcome);
    }

    /// <summary>Runs one case: "Ok WxH" on success; failures are thrown.</summary>
    private static string Run(JsonElement testCase)
    {
        string? input = testCase.TryGetProperty("input", out var i) ? TestData.PathOf(i.GetString()!) : null;
        switch (testCase.GetProperty("call").GetString())
        {
            case "decode":
            {
                using var image = Image.Load(File.ReadAllBytes(input!));
                return Size(image);
            }
            case "open":
            {
                using var image = Image.Open(input!);
                return Size(image);
            }
            case "ops":
            {
                var image = Image.Open(input!);
                try
                {
                    foreach (var op in testCase.GetProperty("ops").EnumerateArray())
                    {
                        var next = ManifestOps.Apply(image, op);
                        if (next is not null)
                        {
                            image.Dispose();
                            image = next;
                        }
                    }
                    return Size(image);
                }
                finally
                {
                    image.Dispose();
                }
            }
            case "save":
            {
                var tmp = Directory.CreateTempSubdirectory("pixbridge-bad-");
                try
                {
                    using var image = Image.Open(input!);
                    try
                    {
                        image.Save(testCase.GetProperty("path").GetString()!.Replace("{tmp}", tmp.FullName));
                    }
                    catch (PixbridgeException)
                    {
                        Assert.Empty(tmp.EnumerateFileSystemInfos());
                        throw;
                    }
                    return Size(image);
                }
                finally
                {
                    tmp.Delete(recursive: true);
                }
            }
            case "from_pixels":
            {
                var pixels = new byte[testCase.GetProperty("length").GetInt32()];
                using var image = Image.FromPixels(U32(testCase, "width"), U32(testCase, "height"), pixels);
                return Size(image);
            }
            case "encode":
            {
                using var image = Image.Open(input!);
                var format = Enum.Parse<ImageFormat>(testCase.GetProperty("format").GetString()!, ignoreCase: true);
                var encoded = image.Encode(format, U32(testCase, "quality"));
                return $"Ok {encoded.Length} bytes";
            }
            default:
                throw new InvalidOperationException($"unknown call {testCase.GetProperty("call")}");
        }
    }

    /// <summary>A manifest integer as a C# int: unsigned values above int.MaxValue wrap to negative, as a C caller's value would.</summary>
    private static int U32(JsonElement element, string name) => unchecked((int)(uint)element.GetProperty(name).GetInt64());

    private static string Size(Image image) => $"Ok {image.Width}x{image.Height}";

    private static Dictionary<string, JsonElement> LoadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf("bad/manifest.json")));
        var root = document.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        return root.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, StringComparer.Ordinal);
    }
}
