using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Runs every case of the <c>plugin_cases</c> array of testdata/manifest.json (the golden plugin
/// cases every language runs) through the public C# API: load the case's plugins in order from
/// $PIXBRIDGE_PLUGIN_DIR (a load failure is the case's outcome), open its input, apply each
/// operation by name with its named arguments, and expect the same width, height and pixel
/// SHA-256, or the same error code. Every plugin loaded for a case is unloaded after it.
/// </summary>
/// <remarks>
/// Named arguments go in a <see cref="PluginArguments"/>, so the SDK maps them to positions (and
/// reports an unknown name) exactly as for a user. Whether an operation makes a new image or
/// changes its input is read from the loaded plugins' descriptions, which decides between
/// <see cref="Image.Apply(string, PluginArguments?)"/> and <see cref="Image.ApplyInPlace(string, PluginArguments?)"/>;
/// an operation no loaded plugin has goes to <see cref="Image.ApplyInPlace(string, PluginArguments?)"/>,
/// whose error is then the outcome.
/// </remarks>
[Collection(nameof(PluginCollection))]
public sealed class ManifestPluginTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(LoadCases);

    public static IEnumerable<object[]> CaseNames() => Cases.Value.Keys.Select(name => new object[] { name });

    [Fact]
    public void ManifestHasPluginCases()
    {
        Assert.True(Cases.Value.Count >= 20, $"only {Cases.Value.Count} plugin cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case(string name)
    {
        var testCase = Cases.Value[name];
        var pluginsBefore = Diagnostics.LivePluginCount;
        var imagesBefore = NativeCounters.SettledImages();
        var (outcome, image) = Run(testCase);
        Assert.Equal(pluginsBefore, Diagnostics.LivePluginCount);
        ManifestTests.CheckOutcome(testCase, outcome, image);
        Assert.Equal(imagesBefore, NativeCounters.SettledImages());
    }

    /// <summary>Runs one case; returns (error code name, null) or ("Ok", final image). Unloads its plugins.</summary>
    private static (string Outcome, Image? Image) Run(JsonElement testCase)
    {
        var loaded = new List<PluginLibrary>();
        Image? current = null;
        try
        {
            foreach (var file in testCase.GetProperty("plugins").EnumerateArray())
            {
                loaded.Add(PluginLibrary.Load(PluginFiles.PathOf(file.GetString()!)));
            }
            var input = testCase.GetProperty("input").GetString()
                ?? throw new InvalidDataException("a plugin case that loads its plugins has an input");
            current = Image.Open(TestData.PathOf(input));
            foreach (var step in testCase.GetProperty("ops").EnumerateArray())
            {
                var operation = step.GetProperty("op").GetString()!;
                PluginArguments? arguments = null;
                if (step.TryGetProperty("arguments", out var given))
                {
                    arguments = new PluginArguments();
                    foreach (var argument in given.EnumerateObject())
                    {
                        arguments.Add(argument.Name, argument.Value.GetDouble());
                    }
                }
                var kind = loaded.SelectMany(p => p.Operations).FirstOrDefault(o => o.Name == operation)?.Kind;
                if (kind == PluginOperationKind.Fresh)
                {
                    var next = current.Apply(operation, arguments);
                    current.Dispose();
                    current = next;
                }
                else
                {
                    current.ApplyInPlace(operation, arguments);
                }
            }
            var result = current;
            current = null;
            return ("Ok", result);
        }
        catch (PixbridgeException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{e.Code} without a message");
            return (e.Code.ToString(), null);
        }
        finally
        {
            current?.Dispose();
            foreach (var plugin in loaded)
            {
                plugin.Dispose();
            }
        }
    }

    private static Dictionary<string, JsonElement> LoadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf("manifest.json")));
        var root = document.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var cases = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var testCase in root.GetProperty("plugin_cases").EnumerateArray())
        {
            var name = testCase.GetProperty("name").GetString()!;
            if (!cases.TryAdd(name, testCase))
            {
                throw new InvalidDataException($"duplicate manifest plugin case name {name}");
            }
        }
        return cases;
    }
}
