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
    if grep -q '\.debug_' <<<"$(readelf -S --wide "$dir/libpixbridge_jni.so")"; then
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

# The runtime identifiers the release workflow builds (docs/platforms.md). linux-musl-arm64 is
# understood by every loader and accepted by the packing scripts, but not required.
PIXBRIDGE_RELEASED_RIDS=(linux-x64 linux-arm64 linux-musl-x64 osx-x64 osx-arm64 win-x64 win-arm64)

# native_file_name STEM RID: the file cargo writes for the cdylib STEM (pixbridge, pixbridge_jni)
# on the platform RID; fails for an unknown RID.
native_file_name() {
    case "$2" in
        win-x64 | win-arm64) echo "$1.dll" ;;
        osx-x64 | osx-arm64) echo "lib$1.dylib" ;;
        linux-x64 | linux-arm64 | linux-musl-x64 | linux-musl-arm64) echo "lib$1.so" ;;
        *) return 1 ;;
    esac
}

# stage_natives TOOL STEM NATIVES STAGED REQUIRE_ALL FOLDER_FUNCTION
# Copies each prebuilt NATIVES/<rid>/<file> to STAGED/<folder>/<file>, where <file> is
# `native_file_name STEM rid` and <folder> is what `FOLDER_FUNCTION rid` prints (the package's
# own folder name for that platform). Fails, naming TOOL, on a folder that is not a known RID, a
# missing file, any other file, no library at all, and (REQUIRE_ALL=1) a released RID missing.
stage_natives() {
    local tool="$1" stem="$2" natives="$3" staged="$4" require_all="$5" folder_of="$6"
    local dir rid file folder stray
    [ -d "$natives" ] || { echo "$tool: --natives $natives is not a folder" >&2; return 1; }
    for dir in "$natives"/*; do
        [ -e "$dir" ] || break
        rid="$(basename "$dir")"
        if [ ! -d "$dir" ] || ! file="$(native_file_name "$stem" "$rid")"; then
            echo "$tool: $dir: not a known runtime identifier folder (expected one of ${PIXBRIDGE_RELEASED_RIDS[*]} linux-musl-arm64)" >&2
            return 1
        fi
        if [ ! -f "$dir/$file" ]; then
            echo "$tool: $dir has no $file (the $rid library's name)" >&2
            return 1
        fi
        stray="$(find "$dir" -mindepth 1 ! -name "$file" -print -quit)"
        if [ -n "$stray" ]; then
            echo "$tool: $stray: unexpected in $dir (only $file is packed)" >&2
            return 1
        fi
        folder="$("$folder_of" "$rid")"
        mkdir -p "$staged/$folder"
        cp "$dir/$file" "$staged/$folder/$file"
    done
    if [ "$require_all" = 1 ]; then
        for rid in "${PIXBRIDGE_RELEASED_RIDS[@]}"; do
            [ -f "$staged/$("$folder_of" "$rid")/$(native_file_name "$stem" "$rid")" ] \
                || { echo "$tool: --require-all: no library for $rid" >&2; return 1; }
        done
    fi
    [ -n "$(ls -A "$staged")" ] || { echo "$tool: no native library under $natives" >&2; return 1; }
}
