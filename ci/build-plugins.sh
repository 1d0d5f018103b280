#!/usr/bin/env bash
# Builds the sample plugins and the host's test plugins into OUT_DIR (default target/plugins),
# under the fixed names the tests load:
#
#   libpixbridge_sepia.so             samples/plugins/sepia (Rust, pixbridge-plugin)
#   libpixbridge_vignette.so          samples/plugins/vignette (C99, its Makefile)
#   libpixbridge_test_panicking.so    ffi/tests/plugins/panicking (Rust: a panic, an Err)
#   libtest_legacy_v1_0.so            a plugin with a 1.0 (48-byte) descriptor: must load
#   libtest_versioned_1.so, _2.so     one plugin, versions 1.0.0 and 2.0.0 (reloading)
#   libtest_slow.so                   an operation that sleeps (unloading during a call)
#   libbad_failing.so                 an operation that always fails (status 7)
#   libbad_wrong_size.so, libbad_future_abi.so, libbad_no_entry.so, libbad_null_descriptor.so,
#   libbad_malformed_1.so .. _5.so, libbad_clash.so, not_a_library.so (a text file):
#                                     each must be refused at load (see the comment at the top
#                                     of its source in ffi/tests/plugins/)
#
# Every C file compiles with -std=c99 -Wall -Wextra -Werror -pedantic. A second run rebuilds
# only what changed (cargo's own check; for C, the source, the header and the command line).
#
#   ci/build-plugins.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out="${1:-$PIXBRIDGE_ROOT/target/plugins}"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
cc="${CC:-cc}"
require "$cc" "install a C compiler: apt-get install gcc"
require make "apt-get install make"

header=ffi/include/pixbridge_plugin.h
tests=ffi/tests/plugins
built=()
fresh=()

# install_file FROM NAME: copies FROM to OUT_DIR/NAME unless it is already there, unchanged.
install_file() {
    if cmp -s "$1" "$out/$2"; then
        fresh+=("$2")
    else
        cp "$1" "$out/$2.tmp"
        mv -f "$out/$2.tmp" "$out/$2" # a rename: a test never sees half a library
        built+=("$2")
    fi
}

# compile NAME SOURCE [FLAG...]: compiles one C file into OUT_DIR/NAME, unless NAME is newer
# than SOURCE and the header and was built with the same command line (kept in
# OUT_DIR/.commands/NAME, out of the way of a test that loads every file of OUT_DIR).
compile() {
    local name="$1" source="$2"
    shift 2
    local command=("$cc" -std=c99 -O2 -Wall -Wextra -Werror -pedantic -shared -fPIC -I ffi/include "$@" "$source")
    local stamp="$out/.commands/$name"
    if [ -f "$out/$name" ] && [ "$out/$name" -nt "$source" ] && [ "$out/$name" -nt "$header" ] &&
        [ "$(cat "$stamp" 2>/dev/null)" = "${command[*]}" ]; then
        fresh+=("$name")
        return
    fi
    echo "${command[*]} -o $out/$name"
    mkdir -p "$out/.commands"
    "${command[@]}" -o "$out/$name.tmp"
    mv -f "$out/$name.tmp" "$out/$name"
    echo "${command[*]}" >"$stamp"
    built+=("$name")
}

stage "Rust plugins: cargo build --release -p pixbridge-sample-sepia -p pixbridge-test-panicking"
cargo build --offline --release -p pixbridge-sample-sepia -p pixbridge-test-panicking 2>&1 | cut_long_lines
release="${CARGO_TARGET_DIR:-$PIXBRIDGE_ROOT/target}/release"
install_file "$release/libpixbridge_sepia.so" libpixbridge_sepia.so
install_file "$release/libpixbridge_test_panicking.so" libpixbridge_test_panicking.so

stage "C sample plugin: make -C samples/plugins/vignette"
# The Makefile is what a user runs; it rebuilds only when vignette.c or the header changed.
vignette=(make --no-print-directory -C samples/plugins/vignette CC="$cc" INCLUDE="$PIXBRIDGE_ROOT/ffi/include" OUT="$out")
if "${vignette[@]}" --question; then
    fresh+=(libpixbridge_vignette.so)
else
    "${vignette[@]}"
    built+=(libpixbridge_vignette.so)
fi

stage "C test plugins: $tests/*.c"
compile libbad_wrong_size.so "$tests/wrong_size.c"
compile libbad_future_abi.so "$tests/future_abi.c"
compile libbad_no_entry.so "$tests/no_entry.c"
compile libbad_null_descriptor.so "$tests/null_descriptor.c"
compile libbad_failing.so "$tests/failing.c"
for variant in 1 2 3 4 5; do
    compile "libbad_malformed_$variant.so" "$tests/malformed.c" "-DMALFORMED=$variant"
done
compile libbad_clash.so "$tests/clash.c"
compile libtest_legacy_v1_0.so "$tests/legacy_v1_0.c"
compile libtest_versioned_1.so "$tests/versioned.c" -DGENERATION=1
compile libtest_versioned_2.so "$tests/versioned.c" -DGENERATION=2
compile libtest_slow.so "$tests/slow.c" -D_POSIX_C_SOURCE=199309L

# A file with a library's name that is not one: the host's loader must report an error.
text="$(mktemp)"
trap 'rm -f "$text"' EXIT
echo "This is not a shared library: loading it as a Pixbridge plugin must fail with an error." >"$text"
install_file "$text" not_a_library.so

echo
echo "plugins in $out: ${#built[@]} built, ${#fresh[@]} up to date"
(cd "$out" && ls -1 -- *.so | sed 's/^/  /')
