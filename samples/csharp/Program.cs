// Pixbridge C# sample: for every JPEG in a folder, open it, blur it, mirror it and save a PNG.
//
//   dotnet run -- [input-folder] [output-folder]
//
// Defaults: ./testdata and ./out. ci/demo-csharp.sh runs it on the repository's test images.
using System.Diagnostics;
using Pixbridge;

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
Console.WriteLine($"done: {jpegs.Count} PNG files in {output}; live native images now: {Diagnostics.LiveImageCount}");
return 0;
