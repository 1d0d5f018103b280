// The C++ wrapper (pixbridge.hpp) as a C++ program uses it: open, operations from the table,
// errors as exceptions with their code, lenient decoding, move-only ownership, no leaked handle;
// with a plugin directory (ci/build-plugins.sh), run-time plugins: pixbridge::Plugin and
// Image::apply / apply_in_place by name, on hand-computed pixels.
// Usage: pipeline <testdata dir> <output png> [plugin dir]. Prints what it checked; exits non-zero
// on a failure.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>
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

/// The code of the pixbridge::Error `call` throws (PIXBRIDGE_ERROR_CODE_OK if none), and its message.
template <typename Call>
std::pair<PixbridgeErrorCode, std::string> thrown(Call call) {
    try {
        call();
    } catch (const pixbridge::Error& error) {
        return {error.code(), error.what()};
    }
    return {PIXBRIDGE_ERROR_CODE_OK, ""};
}

/// Plugins through the wrapper: descriptions, named arguments, defaults, the two kinds, errors.
void check_plugins(const std::filesystem::path& plugins) {
    const std::uint64_t loaded_before = pixbridge::live_plugins();
    {
        pixbridge::Plugin sepia = pixbridge::Plugin::load(plugins / "libpixbridge_sepia.so");
        expect(sepia.name() == "sepia" && sepia.version() == "1.0.0" && sepia.abi_major() == 1,
            "Plugin::load describes the plugin: " + sepia.name() + " " + sepia.version());
        expect(sepia.path().find("libpixbridge_sepia.so") != std::string::npos && !sepia.description().empty(),
            "the plugin's path and description: " + sepia.path());
        const std::vector<pixbridge::PluginOperation>& operations = sepia.operations();
        expect(operations.size() == 2 && operations[0].name == "sepia"
                && operations[0].kind == PIXBRIDGE_PLUGIN_OPERATION_KIND_IN_PLACE && operations[1].name == "channel_gain"
                && operations[1].kind == PIXBRIDGE_PLUGIN_OPERATION_KIND_FRESH,
            "operations(): sepia in place, channel_gain fresh");
        const pixbridge::PluginParameter& strength = operations[0].parameters.at(0);
        expect(strength.name == "strength" && strength.type == PIXBRIDGE_PLUGIN_PARAMETER_TYPE_FLOAT
                && strength.default_value == 1.0 && strength.minimum == 0.0 && strength.maximum == 1.0,
            "the parameter's name, type, default and range");
        // Moving keeps the plugin loaded (one unload, by the final owner).
        pixbridge::Plugin moved = std::move(sepia);
        expect(sepia.native_handle() == 0 && pixbridge::live_plugins() == loaded_before + 1, "moving a Plugin");

        // Hand-computed: sepia at strength 1 makes (100, 150, 200) (192, 171, 134), alpha kept.
        const std::uint8_t source[8] = {100, 150, 200, 77, 100, 150, 200, 255};
        const std::vector<std::uint8_t> sepia_pixels = {192, 171, 134, 77, 192, 171, 134, 255};
        pixbridge::Image image = pixbridge::Image::from_pixels(2, 1, source, sizeof source);
        image.apply_in_place("sepia", {{"strength", 1.0}});
        expect(image.copy_pixels() == sepia_pixels, "apply_in_place(\"sepia\", strength 1) gives (192, 171, 134)");
        pixbridge::Image by_default = pixbridge::Image::from_pixels(2, 1, source, sizeof source);
        by_default.apply_in_place("sepia");
        expect(by_default.copy_pixels() == sepia_pixels, "a missing argument takes its default (strength 1)");
        // channel_gain is fresh: red x3 clips, green keeps its default 1, blue x0.5.
        pixbridge::Image original = pixbridge::Image::from_pixels(2, 1, source, sizeof source);
        pixbridge::Image gained = original.apply("channel_gain", {{"red", 3.0}, {"blue", 0.5}});
        expect(gained.copy_pixels() == std::vector<std::uint8_t>{255, 150, 100, 77, 255, 150, 100, 255}
                && original.copy_pixels() == std::vector<std::uint8_t>(source, source + 8),
            "apply(\"channel_gain\") returns a new image and leaves its source alone");

        auto [code, message] = thrown([&] { image.apply_in_place("sepia", {{"strenght", 0.5}}); });
        expect(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT && message.find("strength") != std::string::npos,
            "an unknown argument name is InvalidArgument listing the valid ones: " + message);
        std::tie(code, message) = thrown([&] { (void)image.apply("sepia"); });
        expect(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT && message.find("apply_in_place") != std::string::npos,
            "apply on an in-place operation names apply_in_place: " + message);
        std::tie(code, message) = thrown([&] { image.apply_in_place("channel_gain"); });
        expect(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT && message.find("call apply") != std::string::npos,
            "apply_in_place on a fresh operation names apply: " + message);
        std::tie(code, message) = thrown([&] { image.apply_in_place("sepia", {{"strength", 2.0}}); });
        expect(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "an argument out of range is InvalidArgument: " + message);
        expect(image.copy_pixels() == sepia_pixels, "refused calls changed nothing");

        pixbridge::Plugin vignette = pixbridge::Plugin::load(plugins / "libpixbridge_vignette.so");
        const std::uint8_t grey[4] = {64, 128, 192, 200};
        pixbridge::Image poster = pixbridge::Image::from_pixels(1, 1, grey, sizeof grey);
        poster.apply_in_place("posterize", {{"levels", 3}});
        expect(poster.copy_pixels() == std::vector<std::uint8_t>{128, 128, 255, 200},
            "posterize to 3 levels makes (64, 128, 192) (128, 128, 255)");

        std::tie(code, message) = thrown([&] { (void)pixbridge::Plugin::load(plugins / "libpixbridge_sepia.so"); });
        expect(code == PIXBRIDGE_ERROR_CODE_PLUGIN_REJECTED, "loading a plugin twice is PluginRejected: " + message);
        std::tie(code, message) = thrown([&] { (void)pixbridge::Plugin::load(plugins / "libbad_future_abi.so"); });
        expect(code == PIXBRIDGE_ERROR_CODE_PLUGIN_REJECTED, "a future plugin ABI is PluginRejected: " + message);
        pixbridge::Plugin failing = pixbridge::Plugin::load(plugins / "libbad_failing.so");
        std::tie(code, message) = thrown([&] {
            if (failing.operations().at(0).kind == PIXBRIDGE_PLUGIN_OPERATION_KIND_IN_PLACE) {
                image.apply_in_place("always_fails");
            } else {
                (void)image.apply("always_fails");
            }
        });
        expect(code == PIXBRIDGE_ERROR_CODE_PLUGIN_FAILED && message.find("always fails") != std::string::npos,
            "a failing operation is PluginFailed with the plugin's message: " + message);
    }
    expect(pixbridge::live_plugins() == loaded_before, "every Plugin's destructor unloaded it");
    auto [code, message] = thrown([] {
        const std::uint8_t pixel[4] = {1, 2, 3, 4};
        pixbridge::Image::from_pixels(1, 1, pixel, sizeof pixel).apply_in_place("sepia");
    });
    expect(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT, "an unloaded plugin's operation is gone: " + message);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: pipeline <testdata dir> <output png> [plugin dir]\n");
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
        // Pixel formats (issue 16): a 2 x 1 BGRA premultiplied pixel pair in, worked out by hand.
        // Premultiplied (b, g, r, a) = (100, 50, 0, 128): straight round(c' * 255 / 128) = 0, 100, 199.
        const std::uint8_t bgra_premul[] = {0, 128, 255, 255, 100, 50, 0, 128};
        pixbridge::Image formats = pixbridge::Image::from_pixel_data(
            bgra_premul, sizeof bgra_premul, 2, 1, PIXBRIDGE_PIXEL_FORMAT_BGRA8_PREMULTIPLIED);
        expect(formats.copy_pixels() == std::vector<std::uint8_t>{255, 128, 0, 255, 0, 100, 199, 128},
            "from_pixel_data unpremultiplies BGRA exactly");
        // Straight 0, 100, 199 at a = 128 premultiplies back to 0, 50, 100 (round(c * a / 255)).
        expect(formats.copy_pixel_data(PIXBRIDGE_PIXEL_FORMAT_ARGB8_PREMULTIPLIED)
                == std::vector<std::uint8_t>{255, 255, 128, 0, 128, 0, 50, 100},
            "copy_pixel_data writes ARGB premultiplied");
        // Rec. 709 luma: 0.2126 * 255 + 0.7152 * 128 = 145.76 -> 146; 0.7152 * 100 + 0.0722 * 199 = 85.89 -> 86.
        expect(formats.copy_pixel_data(PIXBRIDGE_PIXEL_FORMAT_GRAY8) == std::vector<std::uint8_t>{146, 86},
            "copy_pixel_data writes grey as luma");
        std::uint8_t padded[9] = {7, 7, 7, 7, 7, 7, 7, 7, 7};
        formats.copy_pixel_data(PIXBRIDGE_PIXEL_FORMAT_BGR8, 8, padded, sizeof padded);
        expect(std::vector<std::uint8_t>(padded, padded + 9) == std::vector<std::uint8_t>{0, 128, 255, 199, 100, 0, 7, 7, 7},
            "copy_pixel_data with a stride leaves the bytes after the row alone");
        expect(thrown([&] { formats.copy_pixel_data(PIXBRIDGE_PIXEL_FORMAT_RGBA8, 0, padded, 7); }).first
                == PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL,
            "copy_pixel_data into too small a buffer throws BufferTooSmall");
        expect(thrown([&] { (void)pixbridge::Image::from_pixel_data(bgra_premul, 7, 2, 1, PIXBRIDGE_PIXEL_FORMAT_BGRA8); }).first
                == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT,
            "from_pixel_data with too little data throws InvalidArgument");
        expect(thrown([&] { (void)pixbridge::Image::from_pixel_data(bgra_premul, 8, 2, 1, static_cast<PixbridgePixelFormat>(13)); }).first
                == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT,
            "from_pixel_data with an unknown format throws InvalidArgument");

        if (argc == 4) {
            check_plugins(argv[3]);
        }
    } catch (const pixbridge::Error& error) {
        std::printf("FAILED: unexpected error %u: %s\n", static_cast<unsigned>(error.code()), error.what());
        return 1;
    }
    auto [images, buffers] = pixbridge::live_handles();
    expect(images == 0 && buffers == 0, "every handle was freed by its destructor");
    return failures == 0 ? 0 : 1;
}
