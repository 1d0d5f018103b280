// The animation part of pixbridge.hpp: animation_info and Image::decode_frame, with the error as
// an exception. argv[1]: the testdata folder. The fixture (testdata/animation/make.sh,
// ImageMagick): 12 x 8, red, lime, blue for 100, 200, 300 ms, looping forever.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pixbridge.hpp"

static int failures = 0;

static void check(bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) ++failures;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    std::ifstream file(std::string(argv[1]) + "/animation/rgb-3frames.gif", std::ios::binary);
    std::vector<std::uint8_t> gif((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    check(!gif.empty(), "the fixture was read");

    pixbridge::AnimationInfo info = pixbridge::animation_info(gif);
    check(info.frame_count == 3 && info.width == 12 && info.height == 8 && info.loop_count == 0, "info");
    check(info.delays_ms == std::vector<std::uint32_t>{100, 200, 300}, "delays");

    pixbridge::Image blue = pixbridge::Image::decode_frame(gif, 2);
    std::vector<std::uint8_t> pixels = blue.copy_pixels();
    check(blue.width() == 12 && pixels.size() == 12 * 8 * 4 && pixels[0] == 0 && pixels[1] == 0 && pixels[2] == 255,
          "frame 2 is blue");

    bool thrown = false;
    try {
        pixbridge::Image::decode_frame(gif, 3);
    } catch (const pixbridge::Error& error) {
        thrown = error.code() == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT && std::string(error.what()).find("3 frames") != std::string::npos;
    }
    check(thrown, "an index out of range throws InvalidArgument naming the count");
    return failures == 0 ? 0 : 1;
}
