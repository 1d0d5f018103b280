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

# Warns when the disk holding the repository has less free space than a full run writes
# ($1 GiB), so that a later "No space left on device" from the compiler is not a mystery.
check_free_disk() {
    local need_gib="$1"
    local free_kib
    free_kib=$(df -Pk "$PIXBRIDGE_ROOT" | awk 'NR == 2 { print $4 }')
    echo "free disk at $PIXBRIDGE_ROOT: $((free_kib / 1024 / 1024)) GiB (a full run writes about $need_gib GiB)"
    if [ "$free_kib" -lt $((need_gib * 1024 * 1024)) ]; then
        echo "warning: less free disk than this run needs; builds may fail with 'No space left on device'" >&2
    fi
}
