// Pixbridge C# sample: for every JPEG in a folder, open it, blur it, mirror it and save a PNG;
// then the same with the asynchronous API (OpenAsync, BlurAsync, MirrorAsync, SaveAsync);
// then, with the sample plugins of PIXBRIDGE_PLUGIN_DIR (ci/build-plugins.sh builds them), a
// sepia tone and a vignette on rocket.jpg (or the first JPEG); then a round trip through a
// SkiaSharp SKBitmap (Pixbridge -> BGRA premultiplied pixels -> SkiaSharp draws -> Pixbridge).
//
//   dotnet run -- [input-folder] [output-folder]
//
// Defaults: ./testdata and ./out. ci/demo-csharp.sh runs it on the repository's test images.
using System.Diagnostics;
using Pixbridge;
using SkiaSharp;

var input = Path.GetFullPath(args.Length > 0 ? args[0] : "testdata");
var output = Path.GetFullPath(args.Length > 1 ? args[1] : "out");
const float sigma = 4f;

var jpegs = Directory.Exists(input)
    ? Directory.EnumerateFiles(input)
        .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
        .Order(StringComparer.Ordinal)
        .ToList()
    : [];
if (jpegs.Count == 0)
{
    Console.Error.WriteLine($"No JPEG files in {input}. Usage: PixbridgeSample [input-folder] [output-folder]");
    return 1;
}
Directory.CreateDirectory(output);

Console.WriteLine($"Pixbridge sample: open JPEG -> Blur({sigma}) -> Mirror() -> save PNG");
Console.WriteLine($"input:  {input}");
Console.WriteLine($"output: {output}");
foreach (var path in jpegs)
{
    try
    {
        var clock = Stopwatch.StartNew();
        using var image = Image.Open(path);
        var opened = clock.Elapsed;
        using var blurred = image.Blur(sigma);   // a new image; `image` is unchanged
        var blurredAt = clock.Elapsed;
        blurred.Mirror();                        // in place
        var target = Path.Combine(output, Path.GetFileNameWithoutExtension(path) + "-blur-mirror.png");
        blurred.Save(target);
        clock.Stop();
        Console.WriteLine(
            $"{Path.GetFileName(path)}: {image.Width}x{image.Height} {image.ColorType}; " +
            $"open {opened.TotalMilliseconds:F0} ms, blur {(blurredAt - opened).TotalMilliseconds:F0} ms, " +
            $"mirror+save {(clock.Elapsed - blurredAt).TotalMilliseconds:F0} ms -> {target} ({new FileInfo(target).Length:N0} bytes)");
    }
    catch (PixbridgeException e)
    {
        Console.Error.WriteLine($"{Path.GetFileName(path)}: failed with {e.Code}: {e.Message}");
        return 1;
    }
}

// The same job asynchronously, as a server runs it: the native work runs on Pixbridge's own
// threads (neither this thread nor the thread pool waits for it) and stops when the token is
// cancelled (here after a minute; in a server, when the client goes away). Same bytes as above.
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(1));
foreach (var path in jpegs)
{
    var clock = Stopwatch.StartNew();
    using var image = await Image.OpenAsync(path, cancellationToken: cancellation.Token);
    using var blurred = await image.BlurAsync(sigma, cancellationToken: cancellation.Token);
    await blurred.MirrorAsync(cancellationToken: cancellation.Token);
    var name = Path.GetFileNameWithoutExtension(path);
    var target = Path.Combine(output, name + "-blur-mirror-async.png");
    await blurred.SaveAsync(target, cancellationToken: cancellation.Token);
    var same = File.ReadAllBytes(target).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, name + "-blur-mirror.png")));
    Console.WriteLine($"{Path.GetFileName(path)} (async): {clock.Elapsed.TotalMilliseconds:F0} ms -> {target} ({(same ? "same bytes" : "DIFFERENT bytes")})");
    if (!same)
    {
        return 1;
    }
}
// Run-time plugins: load the two sample plugins (sepia in Rust, vignette in C), list what they
// offer, and apply one operation of each by name. Unloading (Dispose) keeps the images they made.
var pluginDir = Environment.GetEnvironmentVariable("PIXBRIDGE_PLUGIN_DIR");
if (string.IsNullOrEmpty(pluginDir))
{
    Console.WriteLine("plugins: skipped (set PIXBRIDGE_PLUGIN_DIR to the folder ci/build-plugins.sh builds the sample plugins into)");
}
else
{
    try
    {
        using var sepia = PluginLibrary.Load(Path.Combine(pluginDir, "libpixbridge_sepia.so"));
        using var vignette = PluginLibrary.Load(Path.Combine(pluginDir, "libpixbridge_vignette.so"));
        foreach (var plugin in new[] { sepia, vignette })
        {
            Console.WriteLine($"plugin {plugin.Name} {plugin.Version} (ABI {plugin.AbiVersion}): {plugin.Description}");
            foreach (var operation in plugin.Operations)
            {
                var parameters = string.Join(", ", operation.Parameters.Select(p => $"{p.Name} = {p.DefaultValue} ({p.Minimum}..{p.Maximum})"));
                Console.WriteLine($"  {operation.Name} [{operation.Kind}]({parameters}): {operation.Description}");
            }
        }
        var path = jpegs.FirstOrDefault(j => Path.GetFileName(j) == "rocket.jpg") ?? jpegs[0];
        using var image = Image.Open(path);
        image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.8 });                 // in place
        using var framed = image.Apply("vignette", new PluginArguments { ["strength"] = 0.7 });  // a new image
        var target = Path.Combine(output, Path.GetFileNameWithoutExtension(path) + "-sepia-vignette.png");
        framed.Save(target);
        Console.WriteLine($"{Path.GetFileName(path)}: sepia(0.8) -> vignette(0.7) -> {target} ({new FileInfo(target).Length:N0} bytes)");
    }
    catch (PixbridgeException e)
    {
        Console.Error.WriteLine($"plugins: failed with {e.Code}: {e.Message}");
        return 1;
    }
}

// SkiaSharp interop: Pixbridge does not depend on SkiaSharp; the pixels cross as bytes in the
// layout an SKBitmap holds (Bgra8888, premultiplied: PixelFormat.Bgra8Premultiplied), converted
// once in native code straight into and out of the bitmap's own memory.
{
    var path = jpegs.FirstOrDefault(j => Path.GetFileName(j) == "rocket.jpg") ?? jpegs[0];
    using var photo = Image.Open(path);
    using var bitmap = new SKBitmap(new SKImageInfo(photo.Width, photo.Height, SKColorType.Bgra8888, SKAlphaType.Premul));
    photo.CopyPixels(bitmap.PeekPixels().GetPixelSpan<byte>(), PixelFormat.Bgra8Premultiplied, bitmap.RowBytes);
    using (var canvas = new SKCanvas(bitmap))
    using (var paint = new SKPaint { Color = new SKColor(255, 200, 0, 128), IsAntialias = true })
    {
        canvas.DrawCircle(photo.Width / 2f, photo.Height / 2f, Math.Min(photo.Width, photo.Height) / 4f, paint);
    }
    using var drawn = Image.FromPixels(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, PixelFormat.Bgra8Premultiplied, bitmap.RowBytes);
    var target = Path.Combine(output, Path.GetFileNameWithoutExtension(path) + "-skia-circle.png");
    drawn.Save(target);
    // The corner is outside the circle: opaque pixels cross both ways unchanged.
    var before = photo.ToPixelArray().AsSpan(0, 4).ToArray();
    var after = drawn.ToPixelArray().AsSpan(0, 4).ToArray();
    var same = before.AsSpan().SequenceEqual(after);
    Console.WriteLine($"{Path.GetFileName(path)}: -> SKBitmap {bitmap.ColorType}/{bitmap.AlphaType} -> circle drawn by SkiaSharp -> " +
        $"{target} (corner pixel {(same ? "unchanged" : "CHANGED")})");
    if (!same)
    {
        return 1;
    }
}

Console.WriteLine($"done: {jpegs.Count} PNG files in {output}, twice; live native images now: {Diagnostics.LiveImageCount}, plugins: {Diagnostics.LivePluginCount}");
return 0;
