using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Plugins are process-wide (an operation name is unique among all loaded plugins, so loading
/// one plugin twice at once is refused): every test that loads plugins runs in this collection,
/// one at a time and never beside another test.
/// </summary>
[CollectionDefinition(nameof(PluginCollection), DisableParallelization = true)]
public sealed class PluginCollection
{
}

/// <summary>Where the test plugins are (built by ci/build-plugins.sh) and pixel helpers for them.</summary>
internal static class PluginFiles
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    /// <summary>$PIXBRIDGE_PLUGIN_DIR, or target/plugins of the repository the testdata folder is in.</summary>
    public static string Directory => Folder.Value;

    public static string PathOf(string file) => Path.Combine(Directory, file);

    private static string FindFolder()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PIXBRIDGE_PLUGIN_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(TestData.Directory))!, "target", "plugins");
        if (File.Exists(Path.Combine(beside, "libpixbridge_sepia.so")))
        {
            return beside;
        }
        throw new DirectoryNotFoundException(
            "No test plugins: set PIXBRIDGE_PLUGIN_DIR to the folder ci/build-plugins.sh builds them into (ci/test-csharp.sh does).");
    }

    /// <summary>An image of the given RGBA8 pixels, one row.</summary>
    public static Image Row(params byte[] rgba) => Image.FromPixels(rgba.Length / 4, 1, rgba);

    public static byte[] Pixels(Image image) => image.WithPixels(static p => p.ToArray());
}

[Collection(nameof(PluginCollection))]
public sealed class PluginTests : IDisposable
{
    private readonly long _imagesBefore;
    private readonly long _pluginsBefore;

    public PluginTests()
    {
        _imagesBefore = NativeCounters.SettledImages();
        _pluginsBefore = Diagnostics.LivePluginCount;
    }

    /// <summary>Every test leaves the live images and plugins as it found them.</summary>
    public void Dispose()
    {
        Assert.Equal(_pluginsBefore, Diagnostics.LivePluginCount);
        Assert.Equal(_imagesBefore, NativeCounters.SettledImages());
    }

    private static PluginLibrary Sepia() => PluginLibrary.Load(PluginFiles.PathOf("libpixbridge_sepia.so"));

    private static PluginLibrary Vignette() => PluginLibrary.Load(PluginFiles.PathOf("libpixbridge_vignette.so"));

    private static PixbridgeException Fails(ErrorCode code, Action call)
    {
        var e = Assert.Throws<PixbridgeException>(call);
        Assert.True(code == e.Code, $"expected {code}, got {e.Code}: {e.Message}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    // ---- Descriptions ----

    [Fact]
    public void TheRustSamplePluginDescribesItself()
    {
        var path = PluginFiles.PathOf("libpixbridge_sepia.so");
        using var plugin = PluginLibrary.Load(path);
        Assert.Equal("sepia", plugin.Name);
        Assert.Equal("1.0.0", plugin.Version);
        Assert.Equal("A sample plugin: a sepia tone (in place) and a per-channel colour gain (a new image).", plugin.Description);
        Assert.Equal(path, plugin.Path);
        Assert.Equal(new Version(1, 1), plugin.AbiVersion);
        Assert.Equal(new[] { "sepia", "channel_gain" }, plugin.Operations.Select(o => o.Name));

        var sepia = plugin.Operations[0];
        Assert.Equal("Gives the image the brown tone of an old photograph. Alpha is kept.", sepia.Description);
        Assert.Equal(PluginOperationKind.InPlace, sepia.Kind);
        var strength = Assert.Single(sepia.Parameters);
        Assert.Equal("strength", strength.Name);
        Assert.Equal("How much of the sepia tone replaces the original colours: 0 leaves the image unchanged, 1 (the default) is full sepia.", strength.Description);
        Assert.Equal((PluginParameterType.Float, 1.0, 0.0, 1.0), (strength.Type, strength.DefaultValue, strength.Minimum, strength.Maximum));

        var gain = plugin.Operations[1];
        Assert.Equal("Multiplies red, green and blue by separate gains (for a colour cast or a quick white balance) and returns a new image. Values above 255 are clipped; alpha is kept.", gain.Description);
        Assert.Equal(PluginOperationKind.Fresh, gain.Kind);
        Assert.Equal(new[] { "red", "green", "blue" }, gain.Parameters.Select(p => p.Name));
        foreach (var (parameter, channel) in gain.Parameters.Zip(new[] { "red", "green", "blue" }))
        {
            Assert.Equal($"Gain of the {channel} channel: 0 removes it, 1 (the default) keeps it, up to 4.", parameter.Description);
            Assert.Equal((PluginParameterType.Float, 1.0, 0.0, 4.0), (parameter.Type, parameter.DefaultValue, parameter.Minimum, parameter.Maximum));
        }
        Assert.Equal("sepia(strength) [InPlace]", sepia.ToString());
        Assert.Equal("Plugin sepia 1.0.0 (sepia, channel_gain)", plugin.ToString());
    }

    [Fact]
    public void TheCSamplePluginDescribesItself()
    {
        using var plugin = Vignette();
        Assert.Equal("vignette", plugin.Name);
        Assert.Equal("1.0.0", plugin.Version);
        Assert.Equal("A sample plugin in C: a vignette (a new image) and a posterize (in place).", plugin.Description);
        Assert.Equal(1, plugin.AbiVersion.Major);
        Assert.Equal(new[] { "vignette", "posterize" }, plugin.Operations.Select(o => o.Name));

        var vignette = plugin.Operations[0];
        Assert.Equal("Darkens the image gradually towards its edges and corners, like an old lens, and returns a new image. Alpha is kept.", vignette.Description);
        Assert.Equal(PluginOperationKind.Fresh, vignette.Kind);
        var strength = Assert.Single(vignette.Parameters);
        Assert.Equal("strength", strength.Name);
        Assert.Equal("How dark the corners get: 0 leaves the image unchanged, 1 takes the corners to black. Default 0.5.", strength.Description);
        Assert.Equal((PluginParameterType.Float, 0.5, 0.0, 1.0), (strength.Type, strength.DefaultValue, strength.Minimum, strength.Maximum));

        var posterize = plugin.Operations[1];
        Assert.Equal("Reduces each of red, green and blue to a few evenly spaced values, for a flat, poster-like look. Alpha is kept.", posterize.Description);
        Assert.Equal(PluginOperationKind.InPlace, posterize.Kind);
        var levels = Assert.Single(posterize.Parameters);
        Assert.Equal("levels", levels.Name);
        Assert.Equal("How many values each of red, green and blue keeps, from 2 to 256. Default 4.", levels.Description);
        Assert.Equal((PluginParameterType.Int, 4.0, 2.0, 256.0), (levels.Type, levels.DefaultValue, levels.Minimum, levels.Maximum));
    }

    [Fact]
    public void APluginBuiltForAbi10LoadsWithoutDocs()
    {
        using var plugin = PluginLibrary.Load(PluginFiles.PathOf("libtest_legacy_v1_0.so"));
        Assert.Equal(new Version(1, 0), plugin.AbiVersion);
        Assert.Equal("", plugin.Description);
        var invert = Assert.Single(plugin.Operations);
        Assert.Equal("legacy_invert", invert.Name);
        Assert.Equal(PluginOperationKind.InPlace, invert.Kind);
        Assert.Empty(invert.Parameters);

        using var image = PluginFiles.Row(0, 100, 255, 7);
        image.ApplyInPlace("legacy_invert");
        Assert.Equal(new byte[] { 255, 155, 0, 7 }, PluginFiles.Pixels(image));
    }

    // ---- The sample operations, against hand-computed pixels ----

    [Fact]
    public void SepiaChangesTheImageInPlace()
    {
        using var plugin = Sepia();
        using var full = PluginFiles.Row(100, 150, 200, 77);
        full.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 1 });
        Assert.Equal(new byte[] { 192, 171, 134, 77 }, PluginFiles.Pixels(full));

        using var half = PluginFiles.Row(100, 150, 200, 77);
        half.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.5 });
        Assert.Equal(new byte[] { 146, 161, 167, 77 }, PluginFiles.Pixels(half));

        // The default strength is 1: no arguments, and empty arguments, are the defaults.
        using var byDefault = PluginFiles.Row(100, 150, 200, 77);
        byDefault.ApplyInPlace("sepia");
        Assert.Equal(new byte[] { 192, 171, 134, 77 }, PluginFiles.Pixels(byDefault));
        using var empty = PluginFiles.Row(100, 150, 200, 77);
        empty.ApplyInPlace("sepia", new PluginArguments());
        Assert.Equal(new byte[] { 192, 171, 134, 77 }, PluginFiles.Pixels(empty));

        using var none = PluginFiles.Row(100, 150, 200, 77);
        none.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0 });
        Assert.Equal(new byte[] { 100, 150, 200, 77 }, PluginFiles.Pixels(none));
    }

    [Fact]
    public void ABoolArgumentIsOneOrZero()
    {
        using var plugin = Sepia();
        using var image = PluginFiles.Row(100, 150, 200, 77);
        image.ApplyInPlace("sepia", new PluginArguments { { "strength", true } });
        Assert.Equal(new byte[] { 192, 171, 134, 77 }, PluginFiles.Pixels(image));
        image.ApplyInPlace("sepia", new PluginArguments { { "strength", false } });
        Assert.Equal(new byte[] { 192, 171, 134, 77 }, PluginFiles.Pixels(image));
    }

    [Fact]
    public void ChannelGainReturnsANewImageAndLeavesTheSource()
    {
        using var plugin = Sepia();
        using var source = PluginFiles.Row(146, 161, 167, 9, 10, 20, 30, 255);
        using var result = source.Apply("channel_gain", new PluginArguments { ["red"] = 2, ["green"] = 0, ["blue"] = 1.5 });
        Assert.Equal(new byte[] { 255, 0, 251, 9, 20, 0, 45, 255 }, PluginFiles.Pixels(result));
        Assert.Equal(new byte[] { 146, 161, 167, 9, 10, 20, 30, 255 }, PluginFiles.Pixels(source));
        Assert.Equal((2, 1), (result.Width, result.Height));

        // Missing names take their default (1): only blue changes.
        using var blue = source.Apply("channel_gain", new PluginArguments { ["blue"] = 0 });
        Assert.Equal(new byte[] { 146, 161, 0, 9, 10, 20, 0, 255 }, PluginFiles.Pixels(blue));
    }

    [Fact]
    public void PosterizeKeepsAFewLevels()
    {
        using var plugin = Vignette();
        using var image = PluginFiles.Row(64, 128, 192, 200);
        image.ApplyInPlace("posterize", new PluginArguments { { "levels", 3 } });
        Assert.Equal(new byte[] { 128, 128, 255, 200 }, PluginFiles.Pixels(image));

        // Default 4 levels: 0, 85, 170, 255.
        using var byDefault = PluginFiles.Row(40, 130, 220, 200);
        byDefault.ApplyInPlace("posterize");
        Assert.Equal(new byte[] { 0, 170, 255, 200 }, PluginFiles.Pixels(byDefault));
    }

    [Fact]
    public void VignetteDarkensTowardsTheEdges()
    {
        using var plugin = Vignette();
        // Two pixels: their centres are at x = -0.5 and 0.5, y = 0, so the factor is
        // 1 - strength * 0.25 / 2: 0.875 at strength 1, 0.9375 at the default 0.5.
        using var source = PluginFiles.Row(200, 100, 40, 77, 200, 100, 40, 77);
        using var full = source.Apply("vignette", new PluginArguments { ["strength"] = 1 });
        Assert.Equal(new byte[] { 175, 88, 35, 77, 175, 88, 35, 77 }, PluginFiles.Pixels(full));
        using var byDefault = source.Apply("vignette");
        Assert.Equal(new byte[] { 188, 94, 38, 77, 188, 94, 38, 77 }, PluginFiles.Pixels(byDefault));
        Assert.Equal(new byte[] { 200, 100, 40, 77, 200, 100, 40, 77 }, PluginFiles.Pixels(source));

        // The centre of a 1x1 image is not darkened.
        using var dot = PluginFiles.Row(200, 100, 40, 77);
        using var centre = dot.Apply("vignette", new PluginArguments { ["strength"] = 1 });
        Assert.Equal(new byte[] { 200, 100, 40, 77 }, PluginFiles.Pixels(centre));
    }

    [Fact]
    public void BothSamplePluginsChainOnARealImage()
    {
        using var sepia = Sepia();
        using var vignette = Vignette();
        using var image = Image.Open(TestData.PathOf("rocket.jpg"));
        image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.8 });
        using var result = image.Apply("vignette");
        Assert.Equal((image.Width, image.Height), (result.Width, result.Height));
        Assert.NotEqual(TestData.PixelSha256(image), TestData.PixelSha256(result));
        // The corner gets darker (factor 1 - 0.5 * ~2 / 2 = ~0.5), the alpha stays.
        var (before, after) = (PluginFiles.Pixels(image), PluginFiles.Pixels(result));
        Assert.True(after[0] + after[1] + after[2] < (before[0] + before[1] + before[2]) * 0.6, "the corner is not darker");
        Assert.Equal(before[3], after[3]);
    }

    // ---- Refused plugins ----

    public static IEnumerable<object[]> RefusedPlugins() => new[]
    {
        new object[] { "libbad_wrong_size.so", "declares 20 bytes" },
        new object[] { "libbad_future_abi.so", "built for plugin ABI 2" },
        new object[] { "libbad_no_entry.so", "no `pixbridge_plugin_entry` symbol" },
        new object[] { "libbad_null_descriptor.so", "no descriptor" },
        new object[] { "not_a_library.so", "cannot be loaded as a library" },
        new object[] { "libbad_malformed_1.so", "name is null" },
        new object[] { "libbad_malformed_2.so", "parameters pointer is null" },
        new object[] { "libbad_malformed_3.so", "two operations are named `twice`" },
        new object[] { "libbad_malformed_4.so", "kind 7" },
        new object[] { "libbad_malformed_5.so", "not within its range" },
        new object[] { "libbad_clash.so", "`blur` is one of Pixbridge's own operations" },
    };

    [Theory]
    [MemberData(nameof(RefusedPlugins))]
    public void ABadPluginIsRefusedWithItsReason(string file, string reason)
    {
        var e = Fails(ErrorCode.PluginRejected, () => PluginLibrary.Load(PluginFiles.PathOf(file)).Dispose());
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void EveryRefusedPluginInTheFolderIsRefused()
    {
        // Whatever bad plugins the folder holds now, not only those listed above.
        var bad = System.IO.Directory.GetFiles(PluginFiles.Directory, "*.so")
            .Where(f => Path.GetFileName(f).StartsWith("libbad_", StringComparison.Ordinal) && !f.EndsWith("libbad_failing.so", StringComparison.Ordinal))
            .Append(PluginFiles.PathOf("not_a_library.so"))
            .ToList();
        Assert.True(bad.Count >= 11, $"only {bad.Count} bad plugins in {PluginFiles.Directory}");
        foreach (var file in bad)
        {
            Fails(ErrorCode.PluginRejected, () => PluginLibrary.Load(file).Dispose());
        }
    }

    [Fact]
    public void AFolderIsNotAPlugin()
    {
        Fails(ErrorCode.PluginRejected, () => PluginLibrary.Load(PluginFiles.Directory).Dispose());
    }

    [Fact]
    public void AMissingFileIsNotFound()
    {
        var e = Fails(ErrorCode.NotFound, () => PluginLibrary.Load(PluginFiles.PathOf("libdoes_not_exist.so")).Dispose());
        Assert.Contains("no plugin file", e.Message);
    }

    [Fact]
    public void BadPathsAreArgumentErrors()
    {
        Assert.Throws<ArgumentNullException>(() => PluginLibrary.Load(null!));
        Assert.Throws<ArgumentException>(() => PluginLibrary.Load(""));
        Assert.Throws<ArgumentException>(() => PluginLibrary.Load("bad\uD800.so"));
    }

    [Fact]
    public void LoadingThePluginTwiceIsRefusedAndTheFirstKeepsWorking()
    {
        using var first = Sepia();
        var e = Fails(ErrorCode.PluginRejected, () => Sepia().Dispose());
        Assert.Contains("sepia", e.Message);
        using var image = PluginFiles.Row(100, 150, 200, 77);
        image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.5 });
        Assert.Equal(new byte[] { 146, 161, 167, 77 }, PluginFiles.Pixels(image));
    }

    // ---- Failing operations ----

    [Fact]
    public void AFailingOperationIsPluginFailedWithThePluginsMessage()
    {
        using var plugin = PluginLibrary.Load(PluginFiles.PathOf("libbad_failing.so"));
        using var image = PluginFiles.Row(1, 2, 3, 4);
        var described = Assert.Single(plugin.Operations);
        Assert.Equal("always_fails", described.Name);
        var e = Fails(ErrorCode.PluginFailed, () => Apply(image, described));
        Assert.Contains("the failing plugin always fails", e.Message);
    }

    [Fact]
    public void ARustPanicAndARustErrorArePluginFailed()
    {
        using var plugin = PluginLibrary.Load(PluginFiles.PathOf("libpixbridge_test_panicking.so"));
        using var image = PluginFiles.Row(1, 2, 3, 4);
        var panic = Fails(ErrorCode.PluginFailed, () => image.ApplyInPlace("panics"));
        Assert.Contains("deliberate panic in a plugin", panic.Message);
        var error = Fails(ErrorCode.PluginFailed, () => image.ApplyInPlace("fails"));
        Assert.Contains("deliberate failure", error.Message);
        // The plugin and the image are still usable.
        Fails(ErrorCode.PluginFailed, () => image.ApplyInPlace("fails"));
        Assert.Equal(4, PluginFiles.Pixels(image).Length);
    }

    private static void Apply(Image image, PluginOperation operation)
    {
        if (operation.Kind == PluginOperationKind.Fresh)
        {
            image.Apply(operation.Name).Dispose();
        }
        else
        {
            image.ApplyInPlace(operation.Name);
        }
    }

    // ---- Argument errors ----

    [Fact]
    public void AnUnknownArgumentNameListsTheValidNames()
    {
        using var sepia = Sepia();
        using var image = PluginFiles.Row(100, 150, 200, 77);
        var e = Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("sepia", new PluginArguments { ["strenght"] = 0.5 }));
        Assert.Contains("strenght", e.Message);
        Assert.Contains("`strength`", e.Message);
        var gain = Fails(ErrorCode.InvalidArgument, () => image.Apply("channel_gain", new PluginArguments { ["Red"] = 2 }).Dispose());
        Assert.Contains("`red`, `green`, `blue`", gain.Message);
        Assert.Equal(new byte[] { 100, 150, 200, 77 }, PluginFiles.Pixels(image));
    }

    [Fact]
    public void ValuesOfTheWrongTypeOrRangeAreInvalidArgument()
    {
        using var sepia = Sepia();
        using var vignette = Vignette();
        using var image = PluginFiles.Row(64, 128, 192, 200);
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 1.5 }));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = double.NaN }));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("posterize", new PluginArguments { ["levels"] = 1 }));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("posterize", new PluginArguments { ["levels"] = 4.5 }));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("posterize", new PluginArguments { ["levels"] = 257 }));
        Fails(ErrorCode.InvalidArgument, () => image.Apply("channel_gain", new PluginArguments { ["green"] = -0.1 }).Dispose());
        Assert.Equal(new byte[] { 64, 128, 192, 200 }, PluginFiles.Pixels(image));
    }

    [Fact]
    public void TheWrongMethodNamesTheRightOne()
    {
        using var sepia = Sepia();
        using var image = PluginFiles.Row(100, 150, 200, 77);
        var inPlace = Fails(ErrorCode.InvalidArgument, () => image.Apply("sepia").Dispose());
        Assert.Contains("ApplyInPlace(\"sepia\"", inPlace.Message);
        var fresh = Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("channel_gain"));
        Assert.Contains("Image.Apply(\"channel_gain\"", fresh.Message);
        Assert.Equal(new byte[] { 100, 150, 200, 77 }, PluginFiles.Pixels(image));
    }

    [Fact]
    public void AnUnknownOperationIsInvalidArgument()
    {
        using var sepia = Sepia();
        using var image = PluginFiles.Row(1, 2, 3, 4);
        // Without arguments the native library says so; with arguments the SDK cannot name them.
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("no_such_operation"));
        Fails(ErrorCode.InvalidArgument, () => image.Apply("no_such_operation").Dispose());
        Fails(ErrorCode.InvalidArgument, () => image.Apply("").Dispose());
        var named = Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("no_such_operation", new PluginArguments { ["x"] = 1 }));
        Assert.Contains("no_such_operation", named.Message);
        // Pixbridge's own operations are not plugin operations.
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("mirror"));
        Assert.Throws<ArgumentNullException>(() => image.ApplyInPlace(null!));
    }

    [Fact]
    public void AnUnloadedPluginsOperationsAreGone()
    {
        var sepia = Sepia();
        using var image = PluginFiles.Row(100, 150, 200, 77);
        sepia.Dispose();
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("sepia"));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 1 }));
        Assert.Equal(new byte[] { 100, 150, 200, 77 }, PluginFiles.Pixels(image));
    }

    [Fact]
    public void ADisposedImageThrowsObjectDisposed()
    {
        using var sepia = Sepia();
        var image = PluginFiles.Row(100, 150, 200, 77);
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.ApplyInPlace("sepia"));
        Assert.Throws<ObjectDisposedException>(() => image.Apply("channel_gain"));
    }

    [Fact]
    public void PluginArgumentsBehaveLikeADictionary()
    {
        var arguments = new PluginArguments { { "strength", 0.8 }, { "levels", 4 }, { "flag", true } };
        Assert.Equal(3, arguments.Count);
        Assert.Equal(0.8, arguments["strength"]);
        Assert.Equal(4.0, arguments["levels"]);
        Assert.Equal(1.0, arguments["flag"]);
        arguments["strength"] = 0.25;
        Assert.Equal(0.25, arguments["strength"]);
        Assert.Throws<ArgumentException>(() => arguments.Add("levels", 5));
        Assert.Throws<ArgumentNullException>(() => arguments.Add(null!, 1));
        Assert.Throws<KeyNotFoundException>(() => arguments["missing"]);
        Assert.False(arguments.TryGetValue("missing", out _));
        Assert.Equal(new[] { "strength", "levels", "flag" }, arguments.Keys);
        Assert.Equal("{ strength = 0.25, levels = 4, flag = 1 }", arguments.ToString());
    }

    // ---- Lifetime ----

    [Fact]
    public void ImagesOutliveThePluginThatMadeThem()
    {
        Image made;
        using (var plugin = Sepia())
        {
            using var source = PluginFiles.Row(146, 161, 167, 9);
            made = source.Apply("channel_gain", new PluginArguments { ["red"] = 2, ["green"] = 0, ["blue"] = 1.5 });
        }
        using (made)
        {
            Assert.Equal(new byte[] { 255, 0, 251, 9 }, PluginFiles.Pixels(made));
            made.Mirror();
            using var blurred = made.Blur(1);
            Assert.Equal((1, 1), (blurred.Width, blurred.Height));
        }
    }

    [Fact]
    public void DisposingTwiceIsFine()
    {
        var plugin = Sepia();
        Assert.False(plugin.IsDisposed);
        plugin.Dispose();
        plugin.Dispose();
        Assert.True(plugin.IsDisposed);
        // What was read at load stays readable.
        Assert.Equal("sepia", plugin.Name);
        Assert.Equal(2, plugin.Operations.Count);
        Assert.EndsWith("(disposed)", plugin.ToString());
        // And the same file loads again.
        using var again = Sepia();
        Assert.Equal("sepia", again.Name);
    }

    [Fact]
    public void LiveCountsReturnToTheBaseline()
    {
        var plugins = Diagnostics.LivePluginCount;
        var images = NativeCounters.SettledImages();
        var sepia = Sepia();
        var vignette = Vignette();
        Assert.Equal(plugins + 2, Diagnostics.LivePluginCount);
        var source = PluginFiles.Row(1, 2, 3, 4, 5, 6, 7, 8);
        var result = source.Apply("vignette");
        result.ApplyInPlace("sepia");
        Assert.Equal(images + 2, Diagnostics.LiveImageCount);
        sepia.Dispose();
        Assert.Equal(plugins + 1, Diagnostics.LivePluginCount);
        vignette.Dispose();
        Assert.Equal(plugins, Diagnostics.LivePluginCount);
        Assert.Equal(images + 2, Diagnostics.LiveImageCount);
        result.Dispose();
        source.Dispose();
        Assert.Equal(images, NativeCounters.SettledImages());
    }

    [Fact]
    public void ANewBuildLoadsFromTheSamePathAfterUnloading()
    {
        var folder = Directory.CreateTempSubdirectory("pixbridge-plugin-");
        try
        {
            var path = Path.Combine(folder.FullName, "libtest_versioned.so");
            File.Copy(PluginFiles.PathOf("libtest_versioned_1.so"), path);
            Image underV1;
            using (var v1 = PluginLibrary.Load(path))
            {
                Assert.Equal(("versioned", "1.0.0"), (v1.Name, v1.Version));
                underV1 = PluginFiles.Row(1, 2, 3, 4);
                underV1.ApplyInPlace("generation_fill");
                Assert.Equal(new byte[] { 100, 100, 100, 255 }, PluginFiles.Pixels(underV1));
            }
            using (underV1)
            {
                // A rename over the file, as a deployment does: the old inode may still be mapped.
                var staged = Path.Combine(folder.FullName, "staged.so");
                File.Copy(PluginFiles.PathOf("libtest_versioned_2.so"), staged);
                File.Move(staged, path, overwrite: true);
                using (var v2 = PluginLibrary.Load(path))
                {
                    Assert.Equal(("versioned", "2.0.0"), (v2.Name, v2.Version));
                    using var underV2 = PluginFiles.Row(1, 2, 3, 4);
                    underV2.ApplyInPlace("generation_fill");
                    Assert.Equal(new byte[] { 200, 200, 200, 255 }, PluginFiles.Pixels(underV2));
                }
                Assert.Equal(new byte[] { 100, 100, 100, 255 }, PluginFiles.Pixels(underV1));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task UnloadingDuringARunningCallLetsTheCallFinish()
    {
        var slow = PluginLibrary.Load(PluginFiles.PathOf("libtest_slow.so"));
        var hold = Assert.Single(slow.Operations);
        Assert.Equal(("hold", PluginOperationKind.InPlace), (hold.Name, hold.Kind));
        Assert.Equal(PluginParameterType.Int, Assert.Single(hold.Parameters).Type);
        using var image = PluginFiles.Row(0, 100, 255, 9);
        using var started = new ManualResetEventSlim();
        var call = Task.Run(() =>
        {
            started.Set();
            image.ApplyInPlace("hold", new PluginArguments { ["milliseconds"] = 400 });
        });
        started.Wait();
        Thread.Sleep(100);
        slow.Dispose();
        await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new byte[] { 255, 155, 0, 9 }, PluginFiles.Pixels(image));
        Fails(ErrorCode.InvalidArgument, () => image.ApplyInPlace("hold"));
    }

    [Fact]
    public void ManyThreadsApplyAtOnce()
    {
        using var sepia = Sepia();
        using var vignette = Vignette();
        Parallel.For(0, 64, i =>
        {
            using var image = PluginFiles.Row(100, 150, 200, 77);
            if (i % 2 == 0)
            {
                image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.5 });
                Assert.Equal(new byte[] { 146, 161, 167, 77 }, PluginFiles.Pixels(image));
            }
            else
            {
                using var posterized = image.Apply("vignette", new PluginArguments { ["strength"] = 0 });
                Assert.Equal(new byte[] { 100, 150, 200, 77 }, PluginFiles.Pixels(posterized));
            }
        });
    }
}
