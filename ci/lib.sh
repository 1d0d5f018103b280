# Shared helpers for the ci/ scripts (sourced, not run).

# Repository root, whatever the caller's working directory.
PIXBRIDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PIXBRIDGE_ROOT

# CI builds each crate once: incremental caches would only take disk (about 0.5 GB).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Prints a visible stage banner.
stage() {
    printf '\n==> %s\n' "$*"
}

# Installs the Debian packages given as arguments that are not installed yet.
# Root on the CI machines; sudo elsewhere if available.
apt_install() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    stage "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the native libraries needs beyond cargo: libjpeg-turbo (inside the turbojpeg-sys
# crate) is compiled from source with cmake and nasm. Every script that builds Rust calls this.
native_build_deps() {
    apt_install cmake nasm
}

# Fails early with a clear message when a required tool is absent.
require() {
    command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not installed ($2)" >&2; exit 1; }
}

# The JNI library as the jar packs it: a copy of target/release/libpixbridge_jni.so without
# debug info in target/java-native/ (the release profile keeps line tables for the Rust tools;
# the jar does not need them; symbol tables stay for exports and backtraces). Prints the folder.
java_native_dir() {
    local library="$PIXBRIDGE_ROOT/target/release/libpixbridge_jni.so"
    local dir="$PIXBRIDGE_ROOT/target/java-native"
    mkdir -p "$dir"
    objcopy --strip-debug "$library" "$dir/libpixbridge_jni.so"
    if readelf -S --wide "$dir/libpixbridge_jni.so" | grep -q '\.debug_'; then
        echo "error: $dir/libpixbridge_jni.so still has .debug_* sections" >&2
        return 1
    fi
    echo "$dir"
}

# The libFuzzer targets in fuzz/ (ci/fuzz.sh, ci/fuzz-long.sh).
FUZZ_TARGETS=(decode operations c_abi)

# Free space, in KiB, on the disk holding the repository.
free_disk_kib() {
    df -Pk "$PIXBRIDGE_ROOT" | awk 'NR == 2 { print $4 }'
}

# Warns when the disk holding the repository has less free space than a full run writes
# ($1 GiB), so that a later "No space left on device" from the compiler is not a mystery.
check_free_disk() {
    local need_gib="$1"
    local free_kib
    free_kib=$(free_disk_kib)
    echo "free disk at $PIXBRIDGE_ROOT: $((free_kib / 1024 / 1024)) GiB (a full run writes about $need_gib GiB)"
    if [ "$free_kib" -lt $((need_gib * 1024 * 1024)) ]; then
        echo "warning: less free disk than this run needs; builds may fail with 'No space left on device'" >&2
    fi
}

# Makes room for a stage that writes about $1 GiB when the disk is short of it: removes the build
# folders given after it, in order, until there is room. They belong to earlier stages (a later
# build recreates what it needs), and nothing is removed while the disk has room.
make_room() {
    local need_kib=$(($1 * 1024 * 1024))
    shift
    local dir
    for dir in "$@"; do
        [ "$(free_disk_kib)" -lt "$need_kib" ] || return 0
        [ -d "$dir" ] || continue
        echo "free disk $(($(free_disk_kib) / 1024)) MiB is short of the $((need_kib / 1024 / 1024)) GiB the next stage writes: removing $dir"
        rm -rf "$dir"
    done
}

# Cuts lines longer than 600 characters (the linker command line rustc prints on a failed link
# is tens of kilobytes): the linker's own message after it stays readable in a CI log tail.
cut_long_lines() {
    awk '{ if (length($0) > 600) print substr($0, 1, 600) " [" length($0) - 600 " characters cut]"; else print; fflush() }'
}
