using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// A progress handler that records every fraction synchronously, on the thread that reports it
/// (unlike <see cref="Progress{T}"/>, which posts), and may act on each one (cancel, throw, block).
/// </summary>
internal sealed class ProgressRecorder : IProgress<float>
{
    private readonly Action<float>? _onReport;
    private readonly List<float> _values = new();
    private readonly List<string?> _threads = new();
    private readonly List<bool> _poolThreads = new();

    public ProgressRecorder(Action<float>? onReport = null) => _onReport = onReport;

    /// <summary>The fractions reported so far, in order.</summary>
    public float[] Values
    {
        get
        {
            lock (_values)
            {
                return _values.ToArray();
            }
        }
    }

    /// <summary>The name of the thread of each report.</summary>
    public string?[] ThreadNames
    {
        get
        {
            lock (_values)
            {
                return _threads.ToArray();
            }
        }
    }

    /// <summary>Whether each report came from a thread-pool thread.</summary>
    public bool[] PoolThreads
    {
        get
        {
            lock (_values)
            {
                return _poolThreads.ToArray();
            }
        }
    }

    public void Report(float value)
    {
        lock (_values)
        {
            _values.Add(value);
            _threads.Add(Thread.CurrentThread.Name);
            _poolThreads.Add(Thread.CurrentThread.IsThreadPoolThread);
        }
        _onReport?.Invoke(value);
    }

    /// <summary>Asserts that the fractions lie in (0, 1] and strictly increase.</summary>
    public void AssertStrictlyIncreasing()
    {
        var values = Values;
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(values[i] > 0f && values[i] <= 1f, $"fraction {values[i]} at {i} is outside (0, 1]");
            if (i > 0)
            {
                Assert.True(values[i] > values[i - 1], $"fraction {values[i]} at {i} does not exceed {values[i - 1]}");
            }
        }
    }
}

/// <summary>Images and streams for the asynchronous tests.</summary>
internal static class AsyncSupport
{
    /// <summary>4000 x 3000 RGBA8 pixels (48 MB) with structure on every scale, made once.</summary>
    private static readonly Lazy<byte[]> LargePixels = new(() => Pattern(4000, 3000));

    /// <summary>A 4000 x 3000 image: long enough work (a sigma 30 blur) to be cancelled mid-way.</summary>
    public static Image Large() => Image.FromPixels(4000, 3000, LargePixels.Value);

    /// <summary>Deterministic pixels that differ per <paramref name="seed"/>: gradients, a checkerboard and noise.</summary>
    public static byte[] Pattern(int width, int height, int seed = 0)
    {
        var pixels = new byte[width * height * 4];
        var state = (uint)(seed * 7919 + 17);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                state = state * 1664525 + 1013904223;
                var i = (y * width + x) * 4;
                pixels[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                pixels[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                pixels[i + 2] = (byte)((((x >> 4) ^ (y >> 4)) & 1) * 200 + (state >> 28));
                pixels[i + 3] = (byte)(255 - ((x + y + seed) & 63));
            }
        }
        return pixels;
    }

    /// <summary>SHA-256 of the pixels of a task's image, which is then disposed.</summary>
    public static async Task<string> HashOf(Task<Image> task)
    {
        using var image = await task;
        return TestData.PixelSha256(image);
    }

    /// <summary>Resident set size of this process in kB, from /proc/self/status.</summary>
    public static long ResidentKilobytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }
}

/// <summary>
/// A non-seekable stream that can only be used asynchronously: every synchronous read or write
/// throws, so an API that works with it never blocks a thread on I/O (no sync-over-async).
/// </summary>
internal sealed class AsyncOnlyStream : Stream
{
    private readonly byte[] _source;
    private readonly MemoryStream _written = new();
    private int _position;

    public AsyncOnlyStream(byte[]? source = null, bool writable = false)
    {
        _source = source ?? Array.Empty<byte>();
        CanWrite = writable;
    }

    /// <summary>Number of ReadAsync / WriteAsync calls.</summary>
    public int AsyncCalls { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public byte[] Written => _written.ToArray();

    public override bool CanRead => !CanWrite;
    public override bool CanSeek => false;
    public override bool CanWrite { get; }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous Read");
    public override int Read(Span<byte> buffer) => throw new InvalidOperationException("synchronous Read");
    public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous Write");
    public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("synchronous Write");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        AsyncCalls++;
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        // Small chunks, so that reading takes many calls.
        var count = Math.Min(Math.Min(buffer.Length, 4096), _source.Length - _position);
        _source.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        AsyncCalls++;
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        _written.Write(buffer.Span);
    }
}
