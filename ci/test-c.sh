#!/usr/bin/env bash
# The C and C++ surface as a user gets it, from a fresh Debian machine: installs Pixbridge to a
# temporary prefix (ci/install.sh), checks the installed library (SONAME, symlinks, a staged
# DESTDIR install), `pkg-config --cflags --libs pixbridge` and `find_package(Pixbridge)` (version
# check, relocated prefix), builds samples/c (its Makefile, pkg-config) and samples/cpp (its
# CMakeLists.txt, find_package) from the installed files only and runs them on the photographs,
# then builds the golden-manifest runners (ffi/tests/manifest-c: C through pixbridge.h, C++
# through pixbridge.hpp) the same way and runs testdata/manifest.json with both (its "cases" and
# its "plugin_cases", which load the plugins ci/build-plugins.sh builds into PIXBRIDGE_PLUGIN_DIR
# when it is unset), both under Valgrind memcheck too.
#
#   ci/test-c.sh            (PIXBRIDGE_KEEP_WORK=1 keeps the temporary folder for a look)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
apt_install gcc g++ make cmake pkg-config binutils valgrind
native_build_deps

work="$(mktemp -d "${TMPDIR:-/tmp}/pixbridge-test-c.XXXXXX")"
if [ "${PIXBRIDGE_KEEP_WORK:-0}" = 1 ]; then
    trap 'echo "kept $work"' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi
prefix="$work/prefix"
out="$work/out"
mkdir -p "$out"
summary=()
passed() {
    summary+=("$(printf '  %-34s ok   %s' "$1" "$2")")
}
fail() {
    echo "FAILED: $*" >&2
    exit 1
}

abi_version="$(sed -n 's/^#define PIXBRIDGE_ABI_VERSION \([0-9][0-9]*\)$/\1/p' ffi/include/pixbridge.h)"
soname="libpixbridge.so.$((abi_version / 1000))"
version="$(sed -n '/^\[workspace\.package\]/,/^\[/ s/^version = "\([^"]*\)"$/\1/p' Cargo.toml)"
library_version="$((abi_version / 1000)).$((abi_version % 1000)).${version##*.}"

if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    stage "sample and test plugins (ci/build-plugins.sh)"
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi

stage "ci/install.sh $prefix"
bash ci/install.sh "$prefix"

stage "installed library: file, SONAME, symlinks, exports"
lib="$prefix/lib"
[ -f "$lib/libpixbridge.so.$library_version" ] && [ ! -L "$lib/libpixbridge.so.$library_version" ] ||
    fail "$lib/libpixbridge.so.$library_version is not a file"
[ "$(readlink "$lib/$soname")" = "libpixbridge.so.$library_version" ] || fail "$lib/$soname does not link to the library"
[ "$(readlink "$lib/libpixbridge.so")" = "$soname" ] || fail "$lib/libpixbridge.so does not link to $soname"
installed_soname="$(readelf -d "$lib/libpixbridge.so.$library_version" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
[ "$installed_soname" = "$soname" ] || fail "SONAME is '$installed_soname', expected $soname"
# The listings are read into variables first: `readelf | grep -q` fails under pipefail when grep
# exits at a match before readelf has written the rest (SIGPIPE), which depends on where the
# symbol sits in the table.
dynamic_symbols="$(readelf --dyn-syms --wide "$lib/libpixbridge.so.$library_version")"
grep -q ' pixbridge_functions$' <<<"$dynamic_symbols" || fail "the installed library does not export pixbridge_functions"
sections="$(readelf -S --wide "$lib/libpixbridge.so.$library_version")"
! grep -q '\.debug_' <<<"$sections" || fail "debug info was not stripped"
for header in pixbridge.h pixbridge.hpp; do
    cmp -s "ffi/include/$header" "$prefix/include/$header" || fail "$prefix/include/$header differs from ffi/include"
done
echo "$lib/libpixbridge.so.$library_version: SONAME $installed_soname"
passed "installed library" "libpixbridge.so.$library_version, SONAME $installed_soname"

stage "staged install: DESTDIR=$work/stage ci/install.sh /opt/pixbridge"
DESTDIR="$work/stage" bash ci/install.sh /opt/pixbridge >/dev/null
[ -f "$work/stage/opt/pixbridge/lib/libpixbridge.so.$library_version" ] || fail "DESTDIR install has no library"
grep -qx 'prefix=/opt/pixbridge' "$work/stage/opt/pixbridge/lib/pkgconfig/pixbridge.pc" ||
    fail "the staged pixbridge.pc does not name the final prefix"
passed "DESTDIR install" "files under DESTDIR, pixbridge.pc says prefix=/opt/pixbridge"

stage "pkg-config --cflags --libs pixbridge"
export PKG_CONFIG_PATH="$lib/pkgconfig"
flags="$(pkg-config --cflags --libs pixbridge | sed "s/ *$//")" # pkgconf ends it with a space
echo "$flags"
[ "$flags" = "-I$prefix/include -L$lib -lpixbridge" ] || fail "pkg-config gives '$flags'"
[ "$(pkg-config --modversion pixbridge)" = "$version" ] || fail "pkg-config --modversion is not $version"
pkg-config --atleast-version="$version" pixbridge || fail "pkg-config --atleast-version=$version"
! pkg-config --atleast-version=99 pixbridge || fail "pkg-config accepts --atleast-version=99"
[ "$(pkg-config --variable=abi_version pixbridge)" = "$abi_version" ] || fail "pixbridge.pc abi_version"
passed "pkg-config" "$flags (version $version)"

stage "find_package(Pixbridge): version check, a moved prefix"
probe="$work/find-package"
mkdir -p "$probe"
cat >"$probe/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(pixbridge_find_package_probe LANGUAGES C)
find_package(Pixbridge ${WANTED} CONFIG REQUIRED)
message(STATUS "Pixbridge ${Pixbridge_VERSION} ABI ${Pixbridge_ABI_VERSION}: ${Pixbridge_LIBRARY}")
add_executable(probe probe.c)
set_target_properties(probe PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
target_compile_options(probe PRIVATE -Wall -Wextra -Werror -pedantic)
target_link_libraries(probe PRIVATE Pixbridge::pixbridge)
CMAKE
cat >"$probe/probe.c" <<'C'
#include <stdio.h>
#include <pixbridge.h>
int main(void) {
    printf("pixbridge_abi_version() = %u\n", pixbridge_abi_version());
    return pixbridge_abi_version() == PIXBRIDGE_ABI_VERSION ? 0 : 1;
}
C
cmake -S "$probe" -B "$work/probe-build" -DCMAKE_PREFIX_PATH="$prefix" -DWANTED="${version%.*}" >"$work/probe.log" ||
    { cat "$work/probe.log"; fail "find_package(Pixbridge ${version%.*})"; }
grep "Pixbridge $version ABI $abi_version: $lib/libpixbridge.so.$library_version" "$work/probe.log" ||
    fail "find_package reports another version or library"
cmake --build "$work/probe-build" >/dev/null
"$work/probe-build/probe"
if cmake -S "$probe" -B "$work/probe-too-new" -DCMAKE_PREFIX_PATH="$prefix" -DWANTED=1.0 >"$work/probe-new.log" 2>&1; then
    fail "find_package(Pixbridge 1.0) accepted version $version"
fi
grep -q 'Pixbridge.*1\.0' "$work/probe-new.log" || { cat "$work/probe-new.log"; fail "no version message"; }
# Relocatable: the package computes its paths from its own place.
cp -a "$prefix" "$work/moved"
cmake -S "$probe" -B "$work/probe-moved" -DCMAKE_PREFIX_PATH="$work/moved" -DWANTED= >"$work/probe-moved.log"
grep -q "$work/moved/lib/libpixbridge.so.$library_version" "$work/probe-moved.log" ||
    fail "find_package in a moved prefix does not point into it"
cmake --build "$work/probe-moved" >/dev/null
rm -rf "$prefix.away"
mv "$prefix" "$prefix.away" # the probe built from the moved copy must not need the original
"$work/probe-moved/probe" || { mv "$prefix.away" "$prefix"; fail "the probe built from the moved prefix"; }
mv "$prefix.away" "$prefix"
rm -rf "$work/moved"
passed "find_package(Pixbridge)" "Pixbridge::pixbridge; 1.0 refused; relocatable"

stage "samples/c: make (pkg-config), then imgtool on the photographs"
make -C samples/c OUT="$work/c-build"
grep -q "NEEDED.*\[$soname\]" <<<"$(readelf -d "$work/c-build/imgtool")" || fail "imgtool does not need $soname"
"$work/c-build/imgtool" batch "$out/c" testdata/rocket.jpg testdata/hubble_deep_field.jpg
for name in rocket hubble_deep_field; do
    for file in "$name-blur.png" "$name-thumb.jpg" "$name-thumb.ppm"; do
        [ -s "$out/c/$file" ] || fail "samples/c wrote no $file"
    done
    [ "$(head -c 15 "$out/c/$name-thumb.ppm")" = "$(printf 'P6\n160 160\n255')" ] ||
        fail "$name-thumb.ppm is not a 160 x 160 PPM"
done
if "$work/c-build/imgtool" blur 2 "$work/does-not-exist.jpg" "$work/x.png" 2>"$work/err.txt"; then
    fail "imgtool succeeded on a missing file"
fi
grep -q "error 3" "$work/err.txt" || fail "imgtool did not report NotFound (3): $(cat "$work/err.txt")"
passed "samples/c (Makefile + pkg-config)" "6 files for 2 photographs; NotFound reported"

stage "samples/cpp: CMake (find_package), then pixbridge-gallery on the photographs"
cmake -S samples/cpp -B "$work/cpp-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cpp-build"
"$work/cpp-build/pixbridge-gallery" "$out/cpp" testdata/rocket.jpg testdata/hubble_deep_field.jpg | tee "$work/gallery.txt"
for name in rocket hubble_deep_field; do
    for file in "$name-blur.png" "$name-grey-sharp.png" "$name-thumb.jpg"; do
        [ -s "$out/cpp/$file" ] || fail "samples/cpp wrote no $file"
    done
done
grep -q "a missing file: NotFound" "$work/gallery.txt" || fail "pixbridge-gallery did not show the NotFound exception"
passed "samples/cpp (CMake + find_package)" "6 files for 2 photographs; pixbridge::Error"

stage "golden manifest runners: CMake (find_package), C11 and C++17 with -Wall -Wextra -Werror -pedantic"
runners="$work/manifest-build"
cmake -S ffi/tests/manifest-c -B "$runners" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$runners"
# "name": keys before the line "plugin_cases" are the image cases, after it the plugin cases.
read -r cases plugin_cases < <(awk '/"plugin_cases"/ { p = 1 } { n = gsub(/"name":/, "&"); if (p) pc += n; else c += n }
    END { print c + 0, pc + 0 }' testdata/manifest.json)
[ "$cases" -gt 0 ] && [ "$plugin_cases" -gt 0 ] || fail "testdata/manifest.json: $cases cases, $plugin_cases plugin cases"
for runner in c cpp; do
    stage "testdata/manifest.json through pixbridge-manifest-$runner (plugins from $PIXBRIDGE_PLUGIN_DIR)"
    "$runners/pixbridge-manifest-$runner" testdata/manifest.json testdata | tee "$work/manifest-$runner.txt"
    result="$(tail -n 1 "$work/manifest-$runner.txt")"
    [[ "$result" == *": $cases cases, $cases passed, 0 failed; $plugin_cases plugin cases, $plugin_cases passed, 0 failed" ]] ||
        fail "pixbridge-manifest-$runner: $result"
    passed "manifest, $([ $runner = c ] && echo "C (pixbridge.h)" || echo "C++ (pixbridge.hpp)")" \
        "$cases of $cases cases, $plugin_cases of $plugin_cases plugin cases"
done

stage "the runners fail on a wrong expectation (a copy of the manifest with one case's and one plugin case's hash changed)"
# grep -m 1, not `| head -n 1`: head closing the pipe early fails grep with SIGPIPE under pipefail.
first_hash="$(grep -o -m 1 '"sha256": "[0-9a-f]*"' testdata/manifest.json | cut -d'"' -f4)"
sed -n '/"plugin_cases"/,$ p' testdata/manifest.json >"$work/plugin-cases.txt" # a file, not a pipe: see above
first_plugin_hash="$(grep -o -m 1 '"sha256": "[0-9a-f]*"' "$work/plugin-cases.txt" | cut -d'"' -f4)"
first_plugin_case="$(grep -o -m 1 '"name": "[^"]*"' "$work/plugin-cases.txt" | cut -d'"' -f4)"
[ "$(grep -c "$first_plugin_hash" testdata/manifest.json)" = 1 ] || fail "the first plugin case's hash is not unique"
sed -e "0,/$first_hash/ s/$first_hash/${first_hash:1}0/" -e "s/$first_plugin_hash/${first_plugin_hash:1}0/" testdata/manifest.json \
    >"$work/altered.json"
for runner in c cpp; do
    if "$runners/pixbridge-manifest-$runner" "$work/altered.json" testdata >"$work/altered-$runner.txt"; then
        fail "pixbridge-manifest-$runner passed a manifest with a changed hash"
    fi
    grep -q "^FAIL rocket-blur4-mirror: expected 640x427 sha256 ${first_hash:1}0" "$work/altered-$runner.txt" ||
        fail "pixbridge-manifest-$runner did not name the altered case: $(cat "$work/altered-$runner.txt")"
    grep -q "^FAIL $first_plugin_case: expected [0-9]*x[0-9]* sha256 ${first_plugin_hash:1}0" "$work/altered-$runner.txt" ||
        fail "pixbridge-manifest-$runner did not name the altered plugin case: $(cat "$work/altered-$runner.txt")"
    grep -q ": $cases cases, $((cases - 1)) passed, 1 failed; $plugin_cases plugin cases, $((plugin_cases - 1)) passed, 1 failed$" \
        "$work/altered-$runner.txt" || fail "pixbridge-manifest-$runner: $(tail -n 1 "$work/altered-$runner.txt")"
done
passed "runners detect a changed hash" "1 of $cases cases and 1 of $plugin_cases plugin cases failed, named, exit status 1"

# Both runners, every case and plugin case: invalid accesses and leaks fail (exit status 1), also
# any left by loading and unloading plugins. The one suppression is the TLS block of the
# library's thread-pool threads, which run until exit (valgrind.supp).
for runner in c cpp; do
    stage "Valgrind memcheck: pixbridge-manifest-$runner over the whole manifest"
    start=$SECONDS
    # RUST_BACKTRACE=0: with a backtrace asked for, the panicking test plugin's own Rust std
    # captures one on its (caught) panic and keeps its symbolization cache in a static of that
    # library, which is lost when the library is closed: its leak, not the host's.
    RUST_BACKTRACE=0 valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --suppressions=ffi/tests/manifest-c/valgrind.supp \
        "$runners/pixbridge-manifest-$runner" testdata/manifest.json testdata | tail -n 1
    passed "Valgrind memcheck ($runner runner)" "no invalid access, no leak ($((SECONDS - start)) s)"
done

echo
echo "C and C++ (installed to a temporary prefix, ABI $abi_version, $soname):"
printf '%s\n' "${summary[@]}"
echo "All C and C++ tests passed."
