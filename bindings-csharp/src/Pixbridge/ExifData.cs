using System;

namespace Pixbridge;

/// <summary>
/// The EXIF fields Pixbridge reads from a photograph (<see cref="Image.Exif"/>), in their usual
/// units; a property is <c>null</c> where the file does not have the field.
/// </summary>
/// <param name="Orientation">Orientation as stored, 1-8 (decoding has already applied it to the pixels).</param>
/// <param name="Make">Camera maker (<c>Make</c>).</param>
/// <param name="Model">Camera model (<c>Model</c>).</param>
/// <param name="LensModel">Lens model (<c>LensModel</c>).</param>
/// <param name="DateTakenText">When the photo was taken (<c>DateTimeOriginal</c>) as written, <c>"YYYY:MM:DD HH:MM:SS"</c>.</param>
/// <param name="Software">Software that wrote the file.</param>
/// <param name="Artist">Artist.</param>
/// <param name="Copyright">Copyright notice.</param>
/// <param name="ExposureTime">Exposure time in seconds (a <c>double</c>: 1/8000 s is below what a <see cref="TimeSpan"/> tick rounds well).</param>
/// <param name="FNumber">Aperture as an f-number.</param>
/// <param name="Iso">ISO sensitivity (<c>PhotographicSensitivity</c>).</param>
/// <param name="FocalLength">Focal length in millimetres.</param>
/// <param name="Latitude">GPS latitude in degrees, positive north.</param>
/// <param name="Longitude">GPS longitude in degrees, positive east.</param>
/// <param name="Altitude">GPS altitude in metres, negative below sea level.</param>
public sealed record ExifData(
    int? Orientation,
    string? Make,
    string? Model,
    string? LensModel,
    string? DateTakenText,
    string? Software,
    string? Artist,
    string? Copyright,
    double? ExposureTime,
    double? FNumber,
    int? Iso,
    double? FocalLength,
    double? Latitude,
    double? Longitude,
    double? Altitude)
{
    /// <summary>
    /// <see cref="DateTakenText"/> parsed (camera local time, so <see cref="DateTimeKind.Unspecified"/>);
    /// <c>null</c> when absent or not in the EXIF form <c>"YYYY:MM:DD HH:MM:SS"</c>.
    /// </summary>
    public DateTime? DateTaken =>
        DateTime.TryParseExact(DateTakenText, "yyyy':'MM':'dd HH':'mm':'ss",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var taken)
            ? taken
            : null;
}
