// Lossy WebP and AVIF through pixbridge.hpp: PixbridgeEncodeOptions' webp_quality, avif_quality
// and avif_speed; magic bytes; lossy smaller than lossless; the WebP decoded back at its size;
// out-of-range values and decoding AVIF throw pixbridge::Error with their codes.
// argv[1]: the testdata folder.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "pixbridge.hpp"

static int failures = 0;

static void check(bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) ++failures;
}

static bool starts(const std::vector<std::uint8_t>& bytes, std::size_t at, const char* text) {
    std::size_t n = std::strlen(text);
    return bytes.size() >= at + n && std::memcmp(bytes.data() + at, text, n) == 0;
}

static PixbridgeErrorCode code_of(const pixbridge::Image& image, PixbridgeImageFormat format,
                                  const PixbridgeEncodeOptions& options) {
    try {
        (void)image.encode(format, &options);
    } catch (const pixbridge::Error& error) {
        return error.code();
    }
    return PIXBRIDGE_ERROR_CODE_OK;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    pixbridge::Image photo = pixbridge::Image::open(std::string(argv[1]) + "/chelsea.png");

    PixbridgeEncodeOptions options{};
    options.strip_metadata = 1;
    std::vector<std::uint8_t> lossless = photo.encode(PIXBRIDGE_IMAGE_FORMAT_WEBP, &options);
    options.webp_quality = 75;
    std::vector<std::uint8_t> lossy = photo.encode(PIXBRIDGE_IMAGE_FORMAT_WEBP, &options);
    check(starts(lossless, 8, "WEBPVP8L") && starts(lossy, 0, "RIFF") && starts(lossy, 8, "WEBPVP8 "), "WebP chunks");
    check(lossy.size() * 4 < lossless.size(), "lossy WebP is far smaller than lossless");
    pixbridge::Image decoded = pixbridge::Image::decode(lossy);
    check(decoded.width() == 451 && decoded.height() == 300, "lossy WebP decodes back at 451 x 300");

    PixbridgeEncodeOptions avif_options{};
    avif_options.avif_quality = 60;
    avif_options.avif_speed = 9;
    std::vector<std::uint8_t> avif = photo.encode(PIXBRIDGE_IMAGE_FORMAT_AVIF, &avif_options);
    check(starts(avif, 4, "ftypavif") && avif.size() * 4 < lossless.size(), "AVIF: ftyp avif, small");
    bool unsupported = false;
    try {
        pixbridge::Image::decode(avif);
    } catch (const pixbridge::Error& error) {
        unsupported = error.code() == PIXBRIDGE_ERROR_CODE_UNSUPPORTED_FORMAT &&
                      std::string(error.what()).find("AVIF decoding is not available") != std::string::npos;
    }
    check(unsupported, "decoding AVIF throws UnsupportedFormat saying why");

    PixbridgeEncodeOptions bad{};
    bad.webp_quality = 101;
    check(code_of(photo, PIXBRIDGE_IMAGE_FORMAT_WEBP, bad) == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "webp_quality 101");
    bad = PixbridgeEncodeOptions{};
    bad.avif_speed = 11;
    check(code_of(photo, PIXBRIDGE_IMAGE_FORMAT_AVIF, bad) == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "avif_speed 11");
    return failures == 0 ? 0 : 1;
}
