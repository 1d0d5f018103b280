// gallery: a C++17 program using Pixbridge through the header-only wrapper pixbridge.hpp.
// For each photograph it prints the size and the mean brightness (read from the pixels in
// native memory, no copy), writes a blurred and mirrored PNG, a grey sharpened copy at half
// size and a 200 x 200 cover thumbnail as JPEG, then shows that failures are exceptions with
// the library's error code.
//
//   pixbridge-gallery OUT_DIR IMAGE...
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>

#include <pixbridge.hpp>

namespace fs = std::filesystem;

namespace {

/// Mean of R, G and B over the whole image, straight from the zero-copy pixel view.
double mean_brightness(const pixbridge::Image& image) {
    const pixbridge::PixelView pixels = image.pixels();
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < pixels.size; i += 4) {
        sum += pixels.data[i] + pixels.data[i + 1] + pixels.data[i + 2];
    }
    return pixels.size == 0 ? 0.0 : static_cast<double>(sum) / (static_cast<double>(pixels.size) / 4 * 3);
}

void process(const fs::path& input, const fs::path& out_dir) {
    const std::string stem = input.stem().string();

    pixbridge::Image photo = pixbridge::Image::open(input);
    std::printf("%s: %u x %u, mean brightness %.1f\n", input.filename().c_str(), photo.width(), photo.height(),
        mean_brightness(photo));

    pixbridge::Image blurred = photo.blur(4.0f);  // a new image; photo is unchanged
    blurred.mirror();                             // in place
    blurred.save(out_dir / (stem + "-blur.png"));

    pixbridge::Image half = photo.resize(photo.width() / 2, photo.height() / 2, PIXBRIDGE_RESIZE_FILTER_LANCZOS3);
    half.grayscale();  // saved as a grey PNG
    pixbridge::Image sharp = half.unsharpen(1.0f, 0.8f, 2);
    sharp.save(out_dir / (stem + "-grey-sharp.png"));

    // A large JPEG is decoded at 1/2, 1/4 or 1/8 scale for this, never at full size.
    pixbridge::Image thumb = pixbridge::Image::thumbnail(input, 200, 200, PIXBRIDGE_THUMBNAIL_FIT_COVER);
    PixbridgeEncodeOptions jpeg{};
    jpeg.quality = 85;
    thumb.save(out_dir / (stem + "-thumb.jpg"), &jpeg);
    std::printf("  wrote %s-blur.png, %s-grey-sharp.png, %s-thumb.jpg (%u x %u)\n", stem.c_str(), stem.c_str(),
        stem.c_str(), thumb.width(), thumb.height());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s OUT_DIR IMAGE...\n", argv[0]);
        return 2;
    }
    const fs::path out_dir = argv[1];
    fs::create_directories(out_dir);
    int status = 0;
    for (int i = 2; i < argc; i++) {
        try {
            process(argv[i], out_dir);
        } catch (const pixbridge::Error& e) {
            std::fprintf(stderr, "%s: error %u: %s\n", argv[i], static_cast<unsigned>(e.code()), e.what());
            status = 1;
        }
    }

    // Failures are exceptions carrying the code; nothing leaks when one is thrown.
    try {
        pixbridge::Image::open(out_dir / "no-such-file.jpg");
        std::fprintf(stderr, "opening a missing file did not fail\n");
        status = 1;
    } catch (const pixbridge::Error& e) {
        const bool expected = e.code() == PIXBRIDGE_ERROR_CODE_NOT_FOUND;
        std::printf("a missing file: %s (code %u): %s\n", expected ? "NotFound" : "unexpected code",
            static_cast<unsigned>(e.code()), e.what());
        status = expected ? status : 1;
    }
    const auto [images, buffers] = pixbridge::live_handles();
    if (images != 0 || buffers != 0) {
        std::fprintf(stderr, "handles left open: %llu images, %llu buffers\n", static_cast<unsigned long long>(images),
            static_cast<unsigned long long>(buffers));
        status = 1;
    }
    return status;
}
