using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Truncated or corrupt data after a valid header: strict by default (a <see cref="ErrorCode.Decode"/>
/// exception that says how many rows were decoded), or the partial image with
/// <see cref="DecodeOptions.Lenient"/>. The pixels are checked against the complete file's decode.
/// </summary>
public sealed class DamagedDataTests
{
    // testdata/truncated-64x48.png is the first half of gradient-64x48.png.
    private static readonly string Truncated = TestData.PathOf("truncated-64x48.png");
    private static readonly string Complete = TestData.PathOf("gradient-64x48.png");
    private static readonly DecodeOptions Lenient = new() { Lenient = true };

    /// <summary>N from "... N of H rows were decoded".</summary>
    private static int RowsDecoded(string message)
    {
        var words = message.Split(' ');
        var at = Enumerable.Range(1, Math.Max(0, words.Length - 3)).FirstOrDefault(i => words[i] == "of" && words[i + 2] == "rows");
        Assert.True(at > 0, message);
        return int.Parse(words[at - 1]);
    }

    [Fact]
    public void ATruncatedFileFailsByDefaultAndSaysHowManyRowsWereDecoded()
    {
        var error = Assert.Throws<PixbridgeException>(() => Image.Open(Truncated));
        Assert.Equal(ErrorCode.Decode, error.Code);
        Assert.Contains("of 48 rows were decoded", error.Message);
        // The default options and Load are strict too.
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => Image.Open(Truncated, new DecodeOptions())).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => Image.Load(File.ReadAllBytes(Truncated))).Code);
    }

    [Fact]
    public void ALenientDecodeReturnsTheRowsTheFileHoldsAndMarksTheImage()
    {
        var strict = Assert.Throws<PixbridgeException>(() => Image.Open(Truncated));
        using var partial = Image.Open(Truncated, Lenient);
        using var complete = Image.Open(Complete, Lenient);
        Assert.True(partial.IsPartial);
        Assert.NotNull(partial.DecodeWarning);
        Assert.StartsWith("the data is truncated or corrupt", partial.DecodeWarning);
        Assert.EndsWith(partial.DecodeWarning!, strict.Message);
        Assert.False(complete.IsPartial);
        Assert.Null(complete.DecodeWarning);

        var rows = RowsDecoded(partial.DecodeWarning!);
        Assert.InRange(rows, 1, 47);
        var rowBytes = 64 * 4;
        var got = partial.ToPixelArray();
        var expected = complete.ToPixelArray();
        Assert.True(got.AsSpan(0, rows * rowBytes).SequenceEqual(expected.AsSpan(0, rows * rowBytes)), "the decoded rows are the file's");
        Assert.True(got.Skip(rows * rowBytes).Chunk(4).All(px => px.SequenceEqual(new byte[] { 0, 0, 0, 255 })), "the rest is black");

        using var fromBytes = Image.Load(File.ReadAllBytes(Truncated), Lenient);
        Assert.Equal(partial.DecodeWarning, fromBytes.DecodeWarning);
        using var blurred = partial.Blur(1);
        Assert.Null(blurred.DecodeWarning);
    }

    [Fact]
    public void LenientCannotBeDeferredAndNothingDecodedStillFails()
    {
        var both = Assert.Throws<PixbridgeException>(() => Image.Open(Truncated, new DecodeOptions { Lenient = true, Deferred = true }));
        Assert.Equal(ErrorCode.InvalidArgument, both.Code);
        Assert.Contains("lenient and deferred", both.Message);

        // The header and a few bytes of compressed data: not one row.
        var bytes = File.ReadAllBytes(TestData.PathOf("chelsea.png"));
        var idat = bytes.AsSpan().IndexOf("IDAT"u8);
        var error = Assert.Throws<PixbridgeException>(() => Image.Load(bytes.AsSpan(0, idat + 40), Lenient));
        Assert.Equal(ErrorCode.Decode, error.Code);
        Assert.Contains("none of its 300 rows could be decoded", error.Message);
    }

    [Fact]
    public void AJpegCutInItsScanDataFailsByDefaultAndLenientlyKeepsItsSize()
    {
        var bytes = File.ReadAllBytes(TestData.PathOf("rocket.jpg"));
        var cut = bytes.AsSpan(0, bytes.Length / 2).ToArray();
        var error = Assert.Throws<PixbridgeException>(() => Image.Load(cut));
        Assert.Equal(ErrorCode.Decode, error.Code);
        Assert.Contains("Premature end of JPEG file", error.Message);
        using var partial = Image.Load(cut, Lenient);
        Assert.Equal((640, 427), (partial.Width, partial.Height));
        Assert.Equal(RowsDecoded(error.Message), RowsDecoded(partial.DecodeWarning!));
    }
}
