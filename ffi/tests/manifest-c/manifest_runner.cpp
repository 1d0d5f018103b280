// pixbridge-manifest-cpp: runs every case of the golden manifest (testdata/manifest.json) through
// the installed C++ wrapper pixbridge.hpp exactly as a C++ program uses it: pixbridge::Image
// factories and methods, RAII, pixbridge::Error with its code. Same command line, checks and
// exit status as pixbridge-manifest-c (manifest_runner.c); the manifest reader and SHA-256 are
// the shared C files. The "plugin_cases" go through pixbridge::Plugin::load (from the directory
// PIXBRIDGE_PLUGIN_DIR names) and Image::apply / Image::apply_in_place with named arguments.
//
//   PIXBRIDGE_PLUGIN_DIR=DIR pixbridge-manifest-cpp [-v] MANIFEST [TESTDATA_DIR] [CASE_NAME...]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "pixbridge.hpp"

#include "manifest.h"
#include "sha256.h"

namespace {

/// Applies one step: the new image of a fresh operation, or nothing for an in-place one.
std::optional<pixbridge::Image> apply(pixbridge::Image& image, const manifest_step& step) {
    const manifest_arg* a = step.args;
    switch (step.op) {
    case MANIFEST_OP_ENCODE_DECODE: {
        const auto format = static_cast<PixbridgeImageFormat>(step.format);
        // encode(format, quality) refuses a quality for a format without one (case
        // encode-png-with-quality); quality 0 is the format's default.
        return pixbridge::Image::decode(image.encode(format, step.quality));
    }
    case MANIFEST_OP_BLUR: return image.blur(a[0].f32);
    case MANIFEST_OP_UNSHARPEN: return image.unsharpen(a[0].f32, a[1].f32, a[2].u32);
    case MANIFEST_OP_RESIZE: return image.resize(a[0].u32, a[1].u32, static_cast<PixbridgeResizeFilter>(a[2].u32));
    case MANIFEST_OP_CROP: return image.crop(a[0].u32, a[1].u32, a[2].u32, a[3].u32);
    case MANIFEST_OP_ROTATE90: return image.rotate90();
    case MANIFEST_OP_ROTATE270: return image.rotate270();
    case MANIFEST_OP_MIRROR: image.mirror(); break;
    case MANIFEST_OP_FLIP_VERTICAL: image.flip_vertical(); break;
    case MANIFEST_OP_ROTATE180: image.rotate180(); break;
    case MANIFEST_OP_GRAYSCALE: image.grayscale(); break;
    case MANIFEST_OP_ADJUST_BRIGHTNESS: image.adjust_brightness(a[0].i32); break;
    case MANIFEST_OP_ADJUST_CONTRAST: image.adjust_contrast(a[0].f32); break;
    case MANIFEST_OP_GAMMA: image.gamma(a[0].f32); break;
    default: throw std::logic_error("unknown operation index");  // the parser knows only these
    }
    return std::nullopt;
}

std::string hex_sha256(const std::uint8_t* data, std::size_t size) {
    char hex[65];
    sha256_hex(data, size, hex);
    return hex;
}

/// Runs one case; an empty string if it passed, else the reason.
std::string run_case(const manifest_case& c, const std::filesystem::path& testdata) {
    const std::filesystem::path input = testdata / c.input;
    std::string stage = c.thumbnail ? "thumbnail" : "open";
    try {
        std::optional<pixbridge::Image> image;
        if (c.thumbnail) {
            // Null options are the defaults; allow_upscale passes the default limits spelt out.
            PixbridgeThumbnailOptions options{{32768, 32768, std::uint64_t{512} << 20}, 1, 0};
            image = pixbridge::Image::thumbnail(input, c.thumbnail_width, c.thumbnail_height,
                static_cast<PixbridgeThumbnailFit>(c.thumbnail_fit), c.allow_upscale ? &options : nullptr);
        } else {
            image = pixbridge::Image::open(input);
        }
        for (std::size_t i = 0; i < c.step_count; i++) {
            stage = manifest_step_name(&c.steps[i]);
            if (std::optional<pixbridge::Image> next = apply(*image, c.steps[i])) {
                image = std::move(next);  // the previous image is destroyed here
            }
        }
        if (c.error != nullptr) {
            return std::string("expected ") + c.error + ", but the case succeeded";
        }
        const pixbridge::PixelView view = image->pixels();
        const std::vector<std::uint8_t> copy = image->copy_pixels();
        if (copy.size() != view.size || !std::equal(copy.begin(), copy.end(), view.begin())) {
            return "copy_pixels() differs from pixels()";
        }
        const std::string hex = hex_sha256(view.data, view.size);
        if (image->width() != c.width || image->height() != c.height || hex != c.sha256) {
            return "expected " + std::to_string(c.width) + "x" + std::to_string(c.height) + " sha256 " + c.sha256
                + ", got " + std::to_string(image->width()) + "x" + std::to_string(image->height()) + " sha256 " + hex;
        }
        return "";
    } catch (const pixbridge::Error& e) {
        const char* name = manifest_error_name(e.code());
        const std::string got = name != nullptr ? name : "an unknown code";
        if (pixbridge_last_error_code() != e.code() || std::strlen(e.what()) == 0) {
            return stage + " threw " + got + ", but the thread's last error does not say so";
        }
        if (c.error == nullptr) {
            return "expected an image, " + stage + " threw " + got + ": " + e.what();
        }
        if (got != c.error) {
            return std::string("expected ") + c.error + ", " + stage + " threw " + got + ": " + e.what();
        }
        return "";
    }
}

/// Runs one plugin case; an empty string if it passed, else the reason. The plugins are unloaded
/// (their destructors) when it returns, after the images (declared later, destroyed first).
std::string run_plugin_case(const manifest_plugin_case& c, const std::filesystem::path& plugin_dir,
        const std::filesystem::path& testdata) {
    std::string stage;
    try {
        std::vector<pixbridge::Plugin> plugins;
        for (std::size_t i = 0; i < c.plugin_count; i++) {
            stage = std::string("loading ") + c.plugins[i];
            plugins.push_back(pixbridge::Plugin::load(plugin_dir / c.plugins[i]));
        }
        std::optional<pixbridge::Image> image;
        if (c.input != nullptr) {
            stage = "open";
            image = pixbridge::Image::open(testdata / c.input);
        }
        for (std::size_t i = 0; i < c.step_count; i++) {
            const manifest_plugin_step& step = c.steps[i];
            stage = step.op;
            std::map<std::string, double> arguments;
            for (std::size_t a = 0; a < step.argument_count; a++) {
                arguments[step.arguments[a].name] = step.arguments[a].value;
            }
            // The kind from the loaded plugins' descriptions; an operation none of them has goes
            // to apply, whose error (from the library) the case expects.
            bool in_place = false;
            for (const pixbridge::Plugin& plugin : plugins) {
                for (const pixbridge::PluginOperation& operation : plugin.operations()) {
                    if (operation.name == step.op) {
                        in_place = operation.kind == PIXBRIDGE_PLUGIN_OPERATION_KIND_IN_PLACE;
                    }
                }
            }
            if (in_place) {
                image->apply_in_place(step.op, arguments);
            } else {
                image = image->apply(step.op, arguments);  // the previous image is destroyed here
            }
        }
        if (c.error != nullptr) {
            return std::string("expected ") + c.error + ", but the case succeeded";
        }
        const std::vector<std::uint8_t> pixels = image->copy_pixels();
        const std::string hex = hex_sha256(pixels.data(), pixels.size());
        if (image->width() != c.width || image->height() != c.height || hex != c.sha256) {
            return "expected " + std::to_string(c.width) + "x" + std::to_string(c.height) + " sha256 " + c.sha256
                + ", got " + std::to_string(image->width()) + "x" + std::to_string(image->height()) + " sha256 " + hex;
        }
        return "";
    } catch (const pixbridge::Error& e) {
        // Not checked against the thread's last error: the wrapper refuses an unknown argument
        // name itself, without calling the library.
        const char* name = manifest_error_name(e.code());
        const std::string got = name != nullptr ? name : "an unknown code";
        if (std::strlen(e.what()) == 0) {
            return stage + " threw " + got + " without a message";
        }
        if (c.error == nullptr) {
            return "expected an image, " + stage + " threw " + got + ": " + e.what();
        }
        if (got != c.error) {
            return std::string("expected ") + c.error + ", " + stage + " threw " + got + ": " + e.what();
        }
        return "";
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool verbose = argc > 1 && std::strcmp(argv[1], "-v") == 0;
    const int first = verbose ? 2 : 1;
    if (argc - first < 1) {
        std::fprintf(stderr, "usage: %s [-v] MANIFEST [TESTDATA_DIR] [CASE_NAME...]\n", argv[0]);
        return 2;
    }
    if (!sha256_self_test()) {
        std::fprintf(stderr, "error: the SHA-256 implementation fails its self-test\n");
        return 2;
    }
    const std::filesystem::path manifest_path = argv[first];
    const std::filesystem::path testdata = argc - first >= 2 ? std::filesystem::path(argv[first + 1])
        : manifest_path.has_parent_path()                    ? manifest_path.parent_path()
                                                             : std::filesystem::path(".");
    const std::set<std::string> names(argv + std::min(argc, first + 2), argv + argc);
    if (pixbridge_abi_version() != PIXBRIDGE_ABI_VERSION) {
        std::fprintf(stderr, "error: library ABI %u, header ABI %u\n", pixbridge_abi_version(), PIXBRIDGE_ABI_VERSION);
        return 2;
    }

    manifest m;
    char error[1024];
    if (!manifest_load(manifest_path.c_str(), &m, error, sizeof error)) {
        std::fprintf(stderr, "error: %s: %s\n", manifest_path.c_str(), error);
        return 2;
    }
    const char* plugin_dir = std::getenv("PIXBRIDGE_PLUGIN_DIR");
    for (std::size_t i = 0; i < m.plugin_count; i++) {
        if ((names.empty() || names.count(m.plugin_cases[i].name) != 0)
            && (plugin_dir == nullptr || plugin_dir[0] == '\0')) {
            std::fprintf(stderr, "error: the plugin cases need PIXBRIDGE_PLUGIN_DIR (build the plugins with "
                                 "ci/build-plugins.sh DIR)\n");
            manifest_free(&m);
            return 2;
        }
    }
    const auto baseline = pixbridge::live_handles();
    const std::uint64_t baseline_plugins = pixbridge::live_plugins();
    std::size_t run = 0;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < m.count; i++) {
        const manifest_case& c = m.cases[i];
        if (!names.empty() && names.count(c.name) == 0) {
            continue;
        }
        run++;
        std::string reason = run_case(c, testdata);
        const auto live = pixbridge::live_handles();
        if (reason.empty() && live != baseline) {
            reason = "left " + std::to_string(live.first - baseline.first) + " image and "
                + std::to_string(live.second - baseline.second) + " buffer handles behind";
        }
        if (!reason.empty()) {
            failed++;
            std::printf("FAIL %s: %s\n", c.name, reason.c_str());
        } else if (verbose) {
            std::printf("ok   %s\n", c.name);
        }
    }
    std::size_t plugin_run = 0;
    std::size_t plugin_failed = 0;
    for (std::size_t i = 0; i < m.plugin_count; i++) {
        const manifest_plugin_case& c = m.plugin_cases[i];
        if (!names.empty() && names.count(c.name) == 0) {
            continue;
        }
        plugin_run++;
        std::string reason = run_plugin_case(c, plugin_dir, testdata);
        const auto live = pixbridge::live_handles();
        const std::uint64_t live_plugins = pixbridge::live_plugins();
        if (reason.empty() && (live != baseline || live_plugins != baseline_plugins)) {
            reason = "left " + std::to_string(live.first - baseline.first) + " image, "
                + std::to_string(live.second - baseline.second) + " buffer and "
                + std::to_string(live_plugins - baseline_plugins) + " plugin handles behind";
        }
        if (!reason.empty()) {
            plugin_failed++;
            std::printf("FAIL %s: %s\n", c.name, reason.c_str());
        } else if (verbose) {
            std::printf("ok   %s\n", c.name);
        }
    }
    manifest_free(&m);
    std::uint64_t released = 0;
    pixbridge_trim(&released);
    std::printf("C++ manifest runner (pixbridge.hpp, ABI %u): %zu cases, %zu passed, %zu failed; "
                "%zu plugin cases, %zu passed, %zu failed\n",
        PIXBRIDGE_ABI_VERSION, run, run - failed, failed, plugin_run, plugin_run - plugin_failed, plugin_failed);
    failed += plugin_failed;
    run += plugin_run;
    if (run == 0 || run != (names.empty() ? run : names.size())) {
        std::fprintf(stderr, "error: %s\n", run == 0 ? "no case ran" : "a case name given is not in the manifest");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
