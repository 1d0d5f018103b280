#!/usr/bin/env bash
# Builds the native library (release) and packs the Pixbridge NuGet package into
# bindings-csharp/local-feed, then removes any unpacked copy of the same version from the NuGet
# global-packages folder so that the next restore takes this package, not a stale one.
#
#   bindings-csharp/pack.sh
#
# Uses the repository's default cargo target dir (target/), like the top-level build.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
unset CARGO_TARGET_DIR

version="$(sed -n 's:.*<PixbridgeVersion>\(.*\)</PixbridgeVersion>.*:\1:p' bindings-csharp/Directory.Build.props)"
cargo_version="$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"/\1/p' Cargo.toml)"
if [[ -z "$version" || "$version" != "$cargo_version" ]]; then
  echo "pack.sh: PixbridgeVersion '$version' (bindings-csharp/Directory.Build.props) differs from the workspace version '$cargo_version'" >&2
  exit 1
fi

echo "== native library: cargo build --release -p pixbridge-ffi"
cargo build --release --offline -p pixbridge-ffi

# The release profile keeps debug info (for profiling); the package ships the library without it.
native="$repo/bindings-csharp/src/Pixbridge/obj/native/linux-x64/libpixbridge.so"
mkdir -p "$(dirname "$native")"
if command -v strip >/dev/null; then
  strip --strip-debug -o "$native" target/release/libpixbridge.so
else
  cp target/release/libpixbridge.so "$native"
fi

echo "== dotnet pack -> bindings-csharp/local-feed"
mkdir -p bindings-csharp/local-feed
rm -f "bindings-csharp/local-feed/Pixbridge.$version.nupkg"
dotnet pack bindings-csharp/src/Pixbridge/Pixbridge.csproj -c Release --nologo -v quiet \
  -p:PixbridgeNativeLinuxX64="$native"
test -f "bindings-csharp/local-feed/Pixbridge.$version.nupkg"

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$packages/pixbridge/$version"
echo "packed bindings-csharp/local-feed/Pixbridge.$version.nupkg"
