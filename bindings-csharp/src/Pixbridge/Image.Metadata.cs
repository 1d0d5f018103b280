using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Pixbridge.Native;

namespace Pixbridge;

public sealed partial class Image
{
    /// <summary>
    /// What the pixels are encoded in: <see cref="Pixbridge.ColorProfile.None"/> (the file had no
    /// ICC profile; taken as sRGB), <see cref="Pixbridge.ColorProfile.Srgb"/> (converted to sRGB on
    /// decode, the default, or the profile was sRGB) or <see cref="Pixbridge.ColorProfile.Embedded"/>
    /// (decoded with <see cref="DecodeOptions.KeepProfile"/>: the pixels are as stored, in the
    /// profile <see cref="GetMetadata"/> returns for <see cref="MetadataBlock.Icc"/>, which a save writes back).
    /// </summary>
    /// <remarks>Reading it on an image opened with <see cref="DecodeOptions.Deferred"/> decodes it.</remarks>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public ColorProfile ColorProfile
    {
        get
        {
            uint profile = 0;
            using (var lease = Lease())
            {
                NativeCalls.Check(Interop.pixbridge_image_color_profile(lease.Handle, ref profile));
            }
            return (ColorProfile)profile;
        }
    }

    /// <summary>
    /// A raw metadata block of the file the image was decoded from: EXIF (a TIFF structure, without
    /// JPEG's <c>Exif\0\0</c> prefix), XMP (the UTF-8 packet) or the ICC profile as stored (also when
    /// the pixels were converted to sRGB). Images that operations make from a decoded image keep
    /// its metadata; thumbnails (unless <see cref="ThumbnailOptions.KeepMetadata"/>) and images made
    /// from pixels have none.
    /// </summary>
    /// <param name="block">Which block.</param>
    /// <returns>A copy of the block, or <c>null</c> when the image has none.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="block"/> is not a defined <see cref="MetadataBlock"/>.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public byte[]? GetMetadata(MetadataBlock block)
    {
        if (!Enum.IsDefined(block))
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, "Not a defined MetadataBlock.");
        }
        ulong buffer = 0;
        using (var lease = Lease())
        {
            NativeCalls.Check(Interop.pixbridge_image_metadata(lease.Handle, (uint)block, ref buffer));
        }
        var bytes = TakeBuffer(buffer);
        return bytes.Length == 0 ? null : bytes;
    }

    /// <summary>
    /// The EXIF fields of the file the image was decoded from, or <c>null</c> when it has no EXIF
    /// block; fields the block lacks (or that cannot be parsed) are <c>null</c>.
    /// </summary>
    /// <remarks>Each read asks the native library again (a few calls); keep the record if you need it often.</remarks>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public ExifData? Exif
    {
        get
        {
            if (GetMetadata(MetadataBlock.Exif) is null)
            {
                return null;
            }
            var numbers = default(ExifNumbers);
            using var lease = Lease();
            NativeCalls.Check(Interop.pixbridge_image_exif_numbers(lease.Handle, ref numbers));
            return new ExifData(
                Orientation: numbers.orientation == 0 ? null : (int)numbers.orientation,
                Make: ReadExifText(lease.Handle, Pixbridge.ExifText.Make),
                Model: ReadExifText(lease.Handle, Pixbridge.ExifText.Model),
                LensModel: ReadExifText(lease.Handle, Pixbridge.ExifText.LensModel),
                DateTakenText: ReadExifText(lease.Handle, Pixbridge.ExifText.DateTaken),
                Software: ReadExifText(lease.Handle, Pixbridge.ExifText.Software),
                Artist: ReadExifText(lease.Handle, Pixbridge.ExifText.Artist),
                Copyright: ReadExifText(lease.Handle, Pixbridge.ExifText.Copyright),
                ExposureTime: Real(numbers.exposure_time),
                FNumber: Real(numbers.f_number),
                Iso: numbers.iso == 0 ? null : checked((int)numbers.iso),
                FocalLength: Real(numbers.focal_length),
                Latitude: Real(numbers.latitude),
                Longitude: Real(numbers.longitude),
                Altitude: Real(numbers.altitude));
        }
    }

    /// <summary>
    /// The PNG text chunks (<c>tEXt</c>, <c>zTXt</c>, <c>iTXt</c>) of the file the image was decoded
    /// from, as keyword and text in file order; empty for other formats. An XMP packet stored in
    /// an <c>iTXt</c> chunk is in <see cref="GetMetadata"/> (<see cref="MetadataBlock.Xmp"/>) instead.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public IReadOnlyList<KeyValuePair<string, string>> TextEntries
    {
        get
        {
            using var lease = Lease();
            uint count = 0;
            NativeCalls.Check(Interop.pixbridge_image_text_count(lease.Handle, ref count));
            var entries = new List<KeyValuePair<string, string>>((int)Math.Min(count, 1024u));
            for (uint index = 0; index < count; index++)
            {
                entries.Add(new(TextEntryPart(lease.Handle, index, 0), TextEntryPart(lease.Handle, index, 1)));
            }
            return entries.AsReadOnly();
        }
    }

    private static double? Real(double value) => double.IsNaN(value) ? null : value;

    /// <summary>A text EXIF field, or null when absent (native: empty).</summary>
    private static string? ReadExifText(ulong image, ExifText field)
    {
        var text = ReadNativeText((Span<byte> buffer, ref nuint length) =>
            Interop.pixbridge_image_exif_text(image, (uint)field, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, ref length));
        return text.Length == 0 ? null : text;
    }

    private static string TextEntryPart(ulong image, uint index, uint part) =>
        ReadNativeText((Span<byte> buffer, ref nuint length) =>
            Interop.pixbridge_image_text_entry(image, index, part, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, ref length));

    private delegate Native.ErrorCode TextCall(Span<byte> buffer, ref nuint length);

    /// <summary>The C ABI's length-query protocol: a small buffer first, then one of the length it asked for.</summary>
    private static string ReadNativeText(TextCall call)
    {
        Span<byte> small = stackalloc byte[256];
        nuint length = 0;
        var result = call(small, ref length);
        if (result.IsOk)
        {
            return Encoding.UTF8.GetString(small[..(int)length]);
        }
        if (!result.IsBufferTooSmall)
        {
            NativeCalls.Check(result);
        }
        var large = new byte[checked((int)length + 1)];
        NativeCalls.Check(call(large, ref length));
        return Encoding.UTF8.GetString(large, 0, (int)length);
    }
}
