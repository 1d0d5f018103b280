#!/usr/bin/env bash
# Packs the Pixbridge NuGet package into bindings-csharp/local-feed, then removes any unpacked
# copy of the same version from the NuGet global-packages folder so that the next restore takes
# this package, not a stale one.
#
#   bindings-csharp/pack.sh                       this machine's platform: builds the native
#                                                 library (release) and packs it alone
#   bindings-csharp/pack.sh --natives DIR [--require-all]
#                                                 prebuilt libraries of several platforms, laid
#                                                 out DIR/<rid>/<file>; nothing is built
#
# Each DIR/<rid>/<file> becomes runtimes/<rid>/native/<file> in the one package (why one
# package for all platforms: docs/platforms.md). <rid> must be a platform the loader knows
# (linux-x64, linux-arm64, linux-musl-x64, linux-musl-arm64, osx-x64, osx-arm64, win-x64,
# win-arm64) and <file> that platform's name: libpixbridge.so, libpixbridge.dylib, pixbridge.dll.
# --require-all fails unless all seven released platforms are there (the release workflow's
# check). PIXBRIDGE_NATIVES=DIR is the same as --natives DIR.
#
# Uses the repository's default cargo target dir (target/), like the top-level build.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# native_file_name, stage_natives, PIXBRIDGE_RELEASED_RIDS (shared with ci/package-java.sh).
source "$repo/ci/lib.sh"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
unset CARGO_TARGET_DIR

natives="${PIXBRIDGE_NATIVES:-}"
require_all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --natives) natives="${2:?--natives needs a folder}"; shift 2 ;;
    --require-all) require_all=1; shift ;;
    *) echo "pack.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done

version="$(sed -n 's:.*<PixbridgeVersion>\(.*\)</PixbridgeVersion>.*:\1:p' bindings-csharp/Directory.Build.props)"
cargo_version="$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"/\1/p' Cargo.toml)"
if [[ -z "$version" || "$version" != "$cargo_version" ]]; then
  echo "pack.sh: PixbridgeVersion '$version' (bindings-csharp/Directory.Build.props) differs from the workspace version '$cargo_version'" >&2
  exit 1
fi

# What the package is built from: bindings-csharp/src/Pixbridge/obj/natives/<rid>/<file>.
staged="$repo/bindings-csharp/src/Pixbridge/obj/natives"
rm -rf "$staged"
mkdir -p "$staged"

if [ -z "$natives" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) rid=linux-x64 ;;
    Linux-aarch64) rid=linux-arm64 ;;
    *) echo "pack.sh: no local build rule for $(uname -s)-$(uname -m); build the library and use --natives DIR" >&2; exit 1 ;;
  esac
  if (ldd --version 2>&1 || true) | grep -qi musl; then
    rid="linux-musl-${rid#linux-}"
  fi
  echo "== native library ($rid): cargo build --release -p pixbridge-ffi"
  cargo build --release --offline -p pixbridge-ffi
  # The release profile keeps debug info (for profiling); the package ships the library without it.
  mkdir -p "$staged/$rid"
  if command -v strip >/dev/null; then
    strip --strip-debug -o "$staged/$rid/libpixbridge.so" target/release/libpixbridge.so
  else
    cp target/release/libpixbridge.so "$staged/$rid/libpixbridge.so"
  fi
else
  # NuGet's folder is the RID itself: runtimes/<rid>/native/<file>.
  rid_folder() { echo "$1"; }
  stage_natives pack.sh pixbridge "$natives" "$staged" "$require_all" rid_folder
fi
echo "== natives: $(cd "$staged" && find . -type f | sed 's:^\./::' | sort | tr '\n' ' ')"

echo "== dotnet pack -> bindings-csharp/local-feed"
mkdir -p bindings-csharp/local-feed
rm -f "bindings-csharp/local-feed/Pixbridge.$version.nupkg"
dotnet pack bindings-csharp/src/Pixbridge/Pixbridge.csproj -c Release --nologo -v quiet \
  -p:PixbridgeNativeDir="$(if command -v cygpath >/dev/null; then cygpath -m "$staged"; else echo "$staged"; fi)"
package="bindings-csharp/local-feed/Pixbridge.$version.nupkg"
test -f "$package"

# The package holds exactly the staged libraries, each at runtimes/<rid>/native/<file>.
expected="$(cd "$staged" && find . -type f | sed 's:^\./\([^/]*\)/:runtimes/\1/native/:' | sort)"
if command -v unzip >/dev/null; then
  entries="$(unzip -Z1 "$package")"
else
  python="$(command -v python3 || command -v python)"
  entries="$("$python" -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$package")"
fi
packed="$(grep '^runtimes/' <<<"$entries" | sort)"
if [ "$expected" != "$packed" ]; then
  echo "pack.sh: $package has other natives than staged:" >&2
  diff <(echo "$expected") <(echo "$packed") >&2 || true
  exit 1
fi

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$packages/pixbridge/$version"
echo "packed $package ($(echo "$packed" | wc -l) native libraries)"
