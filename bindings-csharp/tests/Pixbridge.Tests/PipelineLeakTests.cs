using System;
using System.IO;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Thumbnails, decodes with options and encodes with options, successful and failing, leave no
/// native image or buffer behind. Serial, because the counters are process-wide.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class PipelineLeakTests
{
    [Fact]
    public void NoHandlesLeak()
    {
        var rocket = TestData.PathOf("rocket.jpg");
        var bytes = File.ReadAllBytes(rocket);
        var cut = bytes[..400];
        var missing = Path.Combine(Path.GetTempPath(), $"pixbridge-missing-{Guid.NewGuid():N}.jpg");
        var scratch = Path.Combine(Path.GetTempPath(), $"pixbridge-leak-{Guid.NewGuid():N}.jpg");
        var baseline = NativeCounters.Settled();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var fit = (ThumbnailFit)(i % 3);
                using (var a = Image.Thumbnail(rocket, 90, 70, fit))
                using (var b = Image.Thumbnail(bytes, 90, 70, fit, new ThumbnailOptions { AllowUpscale = true }))
                using (var stream = new MemoryStream(bytes))
                using (var c = Image.Thumbnail(stream, 90, 70, fit))
                using (var d = Image.Open(rocket, new DecodeOptions { MinWidth = 100, MinHeight = 100 }))
                using (var e = Image.Load(bytes, new DecodeOptions { MinWidth = 1 }))
                {
                    _ = c.Encode(ImageFormat.Jpeg, new EncodeOptions { Progressive = true });
                    _ = d.Encode(ImageFormat.Png, new EncodeOptions { PngCompression = 9 });
                    e.Save(scratch, new EncodeOptions { Quality = 70 });
                    _ = b.Encode(ImageFormat.WebP, new EncodeOptions());
                    Assert.Throws<PixbridgeException>(() => a.Save(scratch + ".xyz", new EncodeOptions()));
                }
                Assert.Throws<PixbridgeException>(() => Image.Thumbnail(cut, 50, 50));
                Assert.Throws<PixbridgeException>(() => Image.Thumbnail(missing, 50, 50));
                Assert.Throws<PixbridgeException>(() => Image.Thumbnail(rocket, 40000, 50));
                Assert.Throws<PixbridgeException>(() => Image.Load(cut, new DecodeOptions { MinWidth = 10 }));
                Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(bytes, 0, 50));
            }
            Assert.Equal(baseline, NativeCounters.Settled());
        }
        finally
        {
            File.Delete(scratch);
        }
    }
}
