using System;
using System.Threading;
using Pixbridge.Native;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Misuse of the raw P/Invoke layer (the generated <c>Interop</c> class, below the SafeHandle
/// API): use after destroy, double destroy, forged handles, a handle of the wrong kind, and a
/// handle destroyed on one thread while another uses it. Every call returns an error code,
/// never crashes, and the live-handle counters return to their baseline.
/// </summary>
/// <remarks>Serial because it reads the process-wide live-handle counters.</remarks>
[Collection(nameof(SerialCollection))]
public sealed class RawLayerMisuseTests
{
    private const int Width = 8;
    private const int Height = 6;

    /// <summary>A raw image handle from 8 x 6 pixels, with no SafeHandle around it.</summary>
    private static ulong RawImage()
    {
        // Loads and verifies the native library through the normal API before the raw calls.
        _ = Diagnostics.LiveImageCount;
        var pixels = new byte[Width * Height * 4];
        ulong handle = 0;
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_from_pixels(Width, Height, ref pixels[0], (nuint)pixels.Length, ref handle)));
        Assert.NotEqual(0UL, handle);
        return handle;
    }

    /// <summary>The public code of a raw call's result (the generated raw code has no equality).</summary>
    private static ErrorCode Code(Native.ErrorCode code) => NativeCalls.ToPublic(code);

    private static Native.ErrorCode Info(ulong handle)
    {
        ImageInfo info = default;
        return Interop.pixbridge_image_info(handle, ref info);
    }

    [Fact]
    public void UseAfterDestroyAndDoubleDestroyAreInvalidHandle()
    {
        var baseline = Diagnostics.LiveImageCount;
        var handle = RawImage();
        Assert.Equal(ErrorCode.Ok, Code(Info(handle)));
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(handle)));

        Assert.Equal(ErrorCode.InvalidHandle, Code(Info(handle)));
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_mirror(handle)));
        ulong blurred = 0;
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_blur(handle, 1f, ref blurred)));
        Assert.Equal(0UL, blurred);
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_destroy(handle)));
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_last_error_code()));
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }

    [Fact]
    public void ASlotReusedAfterDestroyDoesNotAnswerToTheOldHandle()
    {
        var baseline = Diagnostics.LiveImageCount;
        var stale = RawImage();
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(stale)));
        // The next image may reuse the slot; the generation in the handle still tells them apart.
        var fresh = RawImage();
        Assert.NotEqual(stale, fresh);
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_destroy(stale)));
        Assert.Equal(ErrorCode.Ok, Code(Info(fresh)));
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(fresh)));
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }

    [Fact]
    public void ForgedHandlesAreInvalidHandle()
    {
        var baseline = Diagnostics.LiveImageCount;
        var live = RawImage();
        var random = new Random(6);
        var forged = new ulong[64];
        forged[0] = 0;
        forged[1] = ulong.MaxValue;
        forged[2] = live + 1;
        forged[3] = live ^ (1UL << 63);
        forged[4] = live ^ (1UL << 32);
        for (var i = 5; i < forged.Length; i++)
        {
            forged[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 32);
        }
        foreach (var handle in forged)
        {
            if (handle == live)
            {
                continue;
            }
            Assert.Equal(ErrorCode.InvalidHandle, Code(Info(handle)));
            Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_mirror(handle)));
            Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_destroy(handle)));
            Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_buffer_destroy(handle)));
        }
        // The live image was not touched by any of the forgeries.
        Assert.Equal(ErrorCode.Ok, Code(Info(live)));
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(live)));
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }

    [Fact]
    public void AHandleOfTheWrongKindIsInvalidHandle()
    {
        var baselineImages = Diagnostics.LiveImageCount;
        var baselineBuffers = Diagnostics.LiveBufferCount;
        var image = RawImage();
        ulong buffer = 0;
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_encode(image, (uint)ImageFormat.Png, 0, ref buffer)));

        // An image handle is not a buffer, and a buffer handle is not an image.
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_buffer_destroy(image)));
        Assert.Equal(ErrorCode.InvalidHandle, Code(Info(buffer)));
        Assert.Equal(ErrorCode.InvalidHandle, Code(Interop.pixbridge_image_destroy(buffer)));

        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_buffer_destroy(buffer)));
        Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(image)));
        Assert.Equal(baselineImages, Diagnostics.LiveImageCount);
        Assert.Equal(baselineBuffers, Diagnostics.LiveBufferCount);
    }

    [Fact]
    public void DestroyOnOneThreadWhileAnotherUsesTheHandle()
    {
        var baseline = Diagnostics.LiveImageCount;
        for (var round = 0; round < 20; round++)
        {
            var handle = RawImage();
            using var started = new ManualResetEventSlim();
            var calls = 0;
            Exception? failure = null;
            // A plain thread (not a task): it must run while this one destroys the handle.
            var user = new Thread(() =>
            {
                try
                {
                    started.Set();
                    while (true)
                    {
                        var code = Code(Interop.pixbridge_image_mirror(handle));
                        ulong blurred = 0;
                        var blurCode = Code(Interop.pixbridge_image_blur(handle, 0.8f, ref blurred));
                        if (blurCode == ErrorCode.Ok)
                        {
                            Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(blurred)));
                        }
                        calls++;
                        if (code == ErrorCode.InvalidHandle && blurCode == ErrorCode.InvalidHandle)
                        {
                            return;
                        }
                        Assert.Contains(code, new[] { ErrorCode.Ok, ErrorCode.InvalidHandle });
                        Assert.Contains(blurCode, new[] { ErrorCode.Ok, ErrorCode.InvalidHandle });
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
            });
            user.Start();
            started.Wait();
            Thread.SpinWait(1000 * (round + 1));
            Assert.Equal(ErrorCode.Ok, Code(Interop.pixbridge_image_destroy(handle)));
            Assert.True(user.Join(TimeSpan.FromSeconds(30)), "the user thread saw the destroy");
            Assert.Null(failure);
            Assert.True(calls >= 1);
        }
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }
}
