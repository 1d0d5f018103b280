// The C++ wrapper (pixbridge.hpp) as a C++ program uses it: open, operations from the table,
// errors as exceptions with their code, lenient decoding, move-only ownership, no leaked handle.
// Usage: pipeline <testdata dir> <output png>. Prints what it checked; exits non-zero on a failure.
#include <algorithm>
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

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: pipeline <testdata dir> <output png>\n");
        return 2;
    }
    const std::filesystem::path testdata = argv[1];
    const std::filesystem::path output = argv[2];
    try {
        // Before the first call that works on images: the worker pool's size can still be set.
        pixbridge::set_worker_threads(2);
        expect(pixbridge::worker_threads() == 2, "the worker thread count reads back before the pool starts");
        pixbridge::Image photo = pixbridge::Image::open(testdata / "rocket.jpg");
        expect(pixbridge::worker_threads() == 2, "the pool started with the count set");
        pixbridge::set_worker_threads(2);  // the same count is accepted
        try {
            pixbridge::set_worker_threads(3);
            expect(false, "another worker thread count once the pool runs throws");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "a late worker thread count is InvalidArgument");
            expect(std::string(error.what()).find("already runs with 2 threads") != std::string::npos,
                std::string("the message names the pool's count: ") + error.what());
        }
        expect(photo.width() == 640 && photo.height() == 427, "rocket.jpg is 640 x 427");
        expect(photo.color_type() == PIXBRIDGE_COLOR_TYPE_RGB8, "decoded from RGB");

        // A fresh operation leaves its source alone; an in-place one changes it.
        std::vector<std::uint8_t> before = photo.copy_pixels();
        pixbridge::Image soft = photo.blur(4.0f);
        expect(photo.copy_pixels() == before, "blur returns a new image");
        std::vector<std::uint8_t> soft_pixels = soft.copy_pixels();
        soft.mirror();
        soft.mirror();
        expect(soft.copy_pixels() == soft_pixels, "mirror twice is the identity, in place");
        pixbridge::PixelView view = soft.pixels();
        expect(view.size == soft_pixels.size() && std::equal(view.begin(), view.end(), soft_pixels.begin()),
            "pixels() views the same bytes");

        pixbridge::Image small = soft.resize(160, 107, PIXBRIDGE_RESIZE_FILTER_LANCZOS3);
        small.save(output);
        std::vector<std::uint8_t> png = small.encode(PIXBRIDGE_IMAGE_FORMAT_PNG);
        pixbridge::Image reread = pixbridge::Image::decode(png);
        expect(reread.copy_pixels() == small.copy_pixels(), "PNG round trip is exact");

        // Move-only ownership: the moved-from object owns nothing.
        pixbridge::Image moved = std::move(small);
        expect(small.native_handle() == 0 && moved.width() == 160, "moving transfers the handle");

        try {
            (void)photo.blur(-1.0f);
            expect(false, "blur(-1) throws");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "blur(-1) throws InvalidArgument");
            expect(std::string(error.what()).find("sigma") != std::string::npos,
                std::string("the message names the parameter: ") + error.what());
        }
        try {
            (void)pixbridge::Image::open(testdata / "does-not-exist.png");
            expect(false, "a missing file throws");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_NOT_FOUND, "a missing file throws NotFound");
        }

        // Strict by default; lenient returns the partial image with its warning.
        const std::filesystem::path truncated = testdata / "truncated-64x48.png";
        try {
            (void)pixbridge::Image::open(truncated);
            expect(false, "a truncated file throws");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_DECODE, std::string("a truncated file throws Decode: ") + error.what());
        }
        PixbridgeDecodeOptions lenient{};
        lenient.limits = PixbridgeDecodeLimits{32768, 32768, 512ull << 20};
        lenient.lenient = 1;
        pixbridge::Image partial = pixbridge::Image::decode(read_file(truncated), &lenient);
        std::optional<std::string> warning = partial.decode_warning();
        expect(warning.has_value() && warning->find("rows were decoded") != std::string::npos,
            "the lenient decode is marked: " + warning.value_or("(none)"));
        expect(!photo.decode_warning().has_value(), "a complete image is not marked");

        pixbridge::Image thumb = pixbridge::Image::thumbnail(testdata / "rocket.jpg", 100, 100);
        expect(thumb.width() == 100 && thumb.height() == 67, "thumbnail fits 100 x 100");

        // Controls: progress up to 1 and the plain result; a cancel from the progress function
        // throws Cancelled and leaves an in-place operation's image as it was.
        std::vector<float> fractions;
        pixbridge::Control watched([&fractions](float fraction) { fractions.push_back(fraction); });
        pixbridge::Image controlled = photo.blur(4.0f, watched);
        expect(controlled.copy_pixels() == soft_pixels, "a blur under a Control gives the plain blur");
        expect(!fractions.empty() && fractions.back() == 1.0f && std::is_sorted(fractions.begin(), fractions.end()),
            "progress rises to 1");
        pixbridge::Control* self = nullptr;
        pixbridge::Control cancelling([&self](float) { self->cancel(); });
        self = &cancelling;
        std::vector<std::uint8_t> unchanged = photo.copy_pixels();
        try {
            photo.gamma(2.2f, cancelling);
            expect(false, "a cancelled gamma throws");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_CANCELLED, "a cancel from the progress function throws Cancelled");
        }
        expect(cancelling.cancelled() && photo.copy_pixels() == unchanged, "the cancelled in-place gamma changed nothing");
        pixbridge::Control throwing([](float) { throw std::runtime_error("stop"); });
        try {
            (void)photo.blur(8.0f, throwing);
            expect(false, "a throwing progress function stops the call");
        } catch (const pixbridge::Error& error) {
            expect(error.code() == PIXBRIDGE_ERROR_CODE_CANCELLED, "an exception in the progress function cancels the call");
        }
    } catch (const pixbridge::Error& error) {
        std::printf("FAILED: unexpected error %u: %s\n", static_cast<unsigned>(error.code()), error.what());
        return 1;
    }
    auto [images, buffers] = pixbridge::live_handles();
    expect(images == 0 && buffers == 0, "every handle was freed by its destructor");
    return failures == 0 ? 0 : 1;
}
