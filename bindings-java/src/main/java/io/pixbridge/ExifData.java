package io.pixbridge;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The EXIF fields Pixbridge reads from a photograph ({@link Image#exif()}), in their usual
 * units; a field is empty where the file does not have it.
 *
 * <pre>{@code
 * try (Image photo = Image.open(Path.of("photo.jpg"))) {
 *     photo.exif().flatMap(ExifData::model).ifPresent(System.out::println);
 * }
 * }</pre>
 *
 * @param orientation orientation as stored, 1-8 (decoding has already applied it to the pixels)
 * @param make camera maker ({@code Make})
 * @param model camera model ({@code Model})
 * @param lensModel lens model ({@code LensModel})
 * @param dateTakenText when the photo was taken ({@code DateTimeOriginal}) as written,
 *     {@code "YYYY:MM:DD HH:MM:SS"}; see {@link #dateTaken()} for it parsed
 * @param software software that wrote the file
 * @param artist artist
 * @param copyright copyright notice
 * @param exposureTime exposure time in seconds
 * @param fNumber aperture as an f-number
 * @param iso ISO sensitivity ({@code PhotographicSensitivity})
 * @param focalLength focal length in millimetres
 * @param latitude GPS latitude in degrees, positive north
 * @param longitude GPS longitude in degrees, positive east
 * @param altitude GPS altitude in metres, negative below sea level
 */
public record ExifData(
        OptionalInt orientation,
        Optional<String> make,
        Optional<String> model,
        Optional<String> lensModel,
        Optional<String> dateTakenText,
        Optional<String> software,
        Optional<String> artist,
        Optional<String> copyright,
        OptionalDouble exposureTime,
        OptionalDouble fNumber,
        OptionalInt iso,
        OptionalDouble focalLength,
        OptionalDouble latitude,
        OptionalDouble longitude,
        OptionalDouble altitude) {

    private static final DateTimeFormatter EXIF_DATE = DateTimeFormatter.ofPattern("uuuu:MM:dd HH:mm:ss");

    /**
     * Checks that no component is null (absent fields are empty optionals).
     *
     * @param orientation see the class description; not null
     * @param make see the class description; not null
     * @param model see the class description; not null
     * @param lensModel see the class description; not null
     * @param dateTakenText see the class description; not null
     * @param software see the class description; not null
     * @param artist see the class description; not null
     * @param copyright see the class description; not null
     * @param exposureTime see the class description; not null
     * @param fNumber see the class description; not null
     * @param iso see the class description; not null
     * @param focalLength see the class description; not null
     * @param latitude see the class description; not null
     * @param longitude see the class description; not null
     * @param altitude see the class description; not null
     * @throws NullPointerException if a component is null
     */
    public ExifData {
        Object[] components = {orientation, make, model, lensModel, dateTakenText, software, artist, copyright,
            exposureTime, fNumber, iso, focalLength, latitude, longitude, altitude};
        for (Object component : components) {
            Arguments.requireNonNull(component, "an ExifData component");
        }
    }

    /**
     * Returns {@link #dateTakenText()} parsed, in the camera's local time (EXIF has no zone), or
     * empty when absent or not in the form {@code "YYYY:MM:DD HH:MM:SS"}.
     *
     * @return the date and time the photo was taken
     */
    public Optional<LocalDateTime> dateTaken() {
        return dateTakenText.flatMap(text -> {
            try {
                return Optional.of(LocalDateTime.parse(text, EXIF_DATE));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /** Reads the fields of a live native image; empty when it has no EXIF block. */
    static Optional<ExifData> read(long image) {
        if (NativeMetadata.block(image, MetadataBlock.EXIF.value()) == null) {
            return Optional.empty();
        }
        double[] n = NativeMetadata.exifNumbers(image);
        return Optional.of(new ExifData(
                positive((int) n[0]),
                text(image, ExifText.MAKE),
                text(image, ExifText.MODEL),
                text(image, ExifText.LENS_MODEL),
                text(image, ExifText.DATE_TAKEN),
                text(image, ExifText.SOFTWARE),
                text(image, ExifText.ARTIST),
                text(image, ExifText.COPYRIGHT),
                real(n[2]),
                real(n[3]),
                positive((long) n[1]),
                real(n[4]),
                real(n[5]),
                real(n[6]),
                real(n[7])));
    }

    private static Optional<String> text(long image, ExifText field) {
        return Optional.ofNullable(NativeMetadata.exifText(image, field.value()));
    }

    private static OptionalDouble real(double value) {
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    private static OptionalInt positive(long value) {
        return value <= 0 || value > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) value);
    }
}
