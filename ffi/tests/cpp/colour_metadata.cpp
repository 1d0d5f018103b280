// Colour management and metadata through the C++ wrapper (pixbridge.hpp), against independent
// references: testdata/colour was converted to sRGB by lcms2 (Pillow's ImageCms) and its EXIF
// written by Pillow (testdata/colour/make_fixtures.py; the values below are the script's).
// Usage: colour_metadata <testdata dir> <temporary dir>. Prints what it checked (with the
// measured differences); exits non-zero on a failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pixbridge.hpp"

namespace {

int failures = 0;

void expect(bool condition, const std::string& what) {
    std::printf("%s: %s\n", condition ? "ok" : "FAILED", what.c_str());
    if (!condition) {
        ++failures;
    }
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Largest and mean absolute difference of R, G and B (alpha ignored).
std::pair<int, double> difference(const pixbridge::Image& a, const pixbridge::Image& b) {
    if (a.width() != b.width() || a.height() != b.height()) {
        return {999, 999.0};
    }
    const std::vector<std::uint8_t> p = a.copy_pixels();
    const std::vector<std::uint8_t> q = b.copy_pixels();
    int max = 0;
    double sum = 0;
    double n = 0;
    for (std::size_t i = 0; i < p.size(); i += 4) {
        for (std::size_t c = 0; c < 3; ++c) {
            const int d = std::abs(int(p[i + c]) - int(q[i + c]));
            max = std::max(max, d);
            sum += d;
            n += 1;
        }
    }
    return {max, sum / n};
}

PixbridgeDecodeOptions keep_profile() {
    PixbridgeDecodeOptions options{};
    options.limits = PixbridgeDecodeLimits{32768, 32768, 512ull << 20};
    options.keep_profile = 1;
    return options;
}

template <typename Call>
PixbridgeErrorCode thrown(Call call) {
    try {
        call();
    } catch (const pixbridge::Error& error) {
        return error.code();
    }
    return PIXBRIDGE_ERROR_CODE_OK;
}

void run(const std::filesystem::path& testdata, const std::filesystem::path& temp) {
    const std::filesystem::path colour = testdata / "colour";
    const PixbridgeDecodeOptions keep = keep_profile();
    char line[200];

    for (const char* name : {"p3.jpg", "adobergb.jpg", "p3.png"}) {
        pixbridge::Image decoded = pixbridge::Image::open(colour / name);
        pixbridge::Image reference = pixbridge::Image::open(colour / (std::string(name) + ".srgb.png"));
        const auto [max, mean] = difference(decoded, reference);
        std::snprintf(line, sizeof line, "%s decodes to sRGB within max %d, mean %.3f of lcms2", name, max, mean);
        expect(decoded.color_profile() == PIXBRIDGE_COLOR_PROFILE_SRGB && max <= 2 && mean <= 0.25, line);
        pixbridge::Image kept = pixbridge::Image::open(colour / name, &keep);
        const int kept_max = difference(kept, reference).first;
        std::snprintf(line, sizeof line, "%s with keep_profile is Embedded and differs from sRGB (max %d)", name, kept_max);
        expect(kept.color_profile() == PIXBRIDGE_COLOR_PROFILE_EMBEDDED && kept_max > 10, line);
    }

    const std::vector<std::uint8_t> icc = read_file(colour / "p3.icc");
    pixbridge::Image kept = pixbridge::Image::open(colour / "p3.jpg", &keep);
    expect(kept.metadata(PIXBRIDGE_METADATA_BLOCK_ICC) == icc, "metadata(ICC) is p3.icc");
    expect(!kept.metadata(PIXBRIDGE_METADATA_BLOCK_XMP), "no XMP: nullopt");

    const std::optional<pixbridge::ExifData> exif = kept.exif();
    expect(exif.has_value(), "exif() is present");
    if (exif) {
        expect(exif->make == "Pixbridge P3 Camera" && exif->model == "Model P3"
                && exif->lens_model == "Test Lens 35mm F2.8" && exif->date_taken == "2024:05:06 07:08:09"
                && exif->software == "Pixbridge fixture script" && exif->artist == "Pixbridge Tests"
                && exif->copyright == "CC0 test fixture",
            "EXIF texts as the script wrote them");
        expect(exif->orientation == 1u && exif->iso == 400u && exif->exposure_time == 1.0 / 250.0
                && exif->f_number == 2.8 && exif->focal_length == 35.0 && exif->altitude == 62.5,
            "EXIF numbers as the script wrote them");
        expect(exif->latitude && std::fabs(*exif->latitude - 52.51) < 1e-9 && exif->longitude
                && std::fabs(*exif->longitude + 1.25) < 1e-9,
            "GPS 52.51 N, 1.25 W");
    }

    pixbridge::Image png = pixbridge::Image::open(colour / "p3.png");
    const auto text = png.text_entries();
    auto find = [&](const std::string& key) -> std::string {
        for (const auto& [k, v] : text) {
            if (k == key) {
                return v;
            }
        }
        return "(absent)";
    };
    expect(find("Title") == "Coffee in Display P3" && find("Description") == "Fus\xc3\xa9" "e, iTXt with UTF-8"
            && find("Comment").rfind("A zTXt chunk: compressed text", 0) == 0,
        "PNG text entries (" + std::to_string(text.size()) + ")");

    // Saves keep EXIF and the kept profile; strip_metadata removes them.
    const std::vector<std::uint8_t> saved = kept.encode(PIXBRIDGE_IMAGE_FORMAT_JPEG);
    pixbridge::Image again = pixbridge::Image::decode(saved, &keep);
    expect(again.metadata(PIXBRIDGE_METADATA_BLOCK_ICC) == icc && again.exif() && again.exif()->make == "Pixbridge P3 Camera",
        "a saved JPEG keeps its EXIF and ICC");
    PixbridgeEncodeOptions strip{};
    strip.strip_metadata = 1;
    pixbridge::Image stripped = pixbridge::Image::decode(kept.encode(PIXBRIDGE_IMAGE_FORMAT_JPEG, &strip));
    expect(!stripped.exif() && !stripped.metadata(PIXBRIDGE_METADATA_BLOCK_ICC)
            && !stripped.metadata(PIXBRIDGE_METADATA_BLOCK_EXIF),
        "strip_metadata removes them");

    // Thumbnails: no metadata by default, kept on request; colours match lcms2's reference resized.
    pixbridge::Image thumb = pixbridge::Image::thumbnail(colour / "p3.jpg", 80, 80);
    expect(!thumb.exif() && !thumb.metadata(PIXBRIDGE_METADATA_BLOCK_ICC)
            && thumb.color_profile() == PIXBRIDGE_COLOR_PROFILE_SRGB,
        "a thumbnail has no metadata by default");
    pixbridge::Image reference = pixbridge::Image::open(colour / "p3.jpg.srgb.png")
        .resize(thumb.width(), thumb.height(), PIXBRIDGE_RESIZE_FILTER_LANCZOS3);
    pixbridge::Image stored = kept.resize(thumb.width(), thumb.height(), PIXBRIDGE_RESIZE_FILTER_LANCZOS3);
    const auto [thumb_max, thumb_mean] = difference(thumb, reference);
    const double unmanaged = difference(stored, reference).second;
    std::snprintf(line, sizeof line, "p3 thumbnail against lcms2 resized: max %d, mean %.3f (unconverted %.3f)",
        thumb_max, thumb_mean, unmanaged);
    expect(thumb_mean <= 2.0 && thumb_mean * 3 < unmanaged, line);
    PixbridgeThumbnailOptions with_metadata{};
    with_metadata.limits = PixbridgeDecodeLimits{32768, 32768, 512ull << 20};
    with_metadata.keep_metadata = 1;
    pixbridge::Image kept_thumb =
        pixbridge::Image::thumbnail(colour / "p3.jpg", 80, 80, PIXBRIDGE_THUMBNAIL_FIT_CONTAIN, &with_metadata);
    expect(kept_thumb.exif() && kept_thumb.exif()->make == "Pixbridge P3 Camera", "keep_metadata keeps the EXIF");

    // Bad codes throw pixbridge::Error with InvalidArgument.
    expect(thrown([&] { (void)kept.metadata(3); }) == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT,
        "an unknown MetadataBlock throws InvalidArgument");
    std::size_t length = 0;
    expect(pixbridge_image_exif_text(kept.native_handle(), 7, nullptr, 0, &length) == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT,
        "an unknown ExifText is InvalidArgument");
    (void)temp;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: colour_metadata <testdata dir> <temporary dir>\n");
        return 2;
    }
    try {
        run(argv[1], argv[2]);
    } catch (const pixbridge::Error& error) {
        std::printf("FAILED: unexpected pixbridge::Error %u: %s\n", unsigned(error.code()), error.what());
        return 1;
    }
    const auto [images, buffers] = pixbridge::live_handles();
    expect(images == 0 && buffers == 0, "no handle left");
    std::printf("%s\n", failures == 0 ? "colour and metadata checks passed" : "colour and metadata checks FAILED");
    return failures == 0 ? 0 : 1;
}
