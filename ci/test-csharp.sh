#!/usr/bin/env bash
# C# SDK: native library (release), NuGet pack into the local feed, and the xunit suite (net10.0)
# that consumes the package from that feed. Exits non-zero on failure.
# Idempotent; works from a fresh clone with cargo and the .NET SDK installed.
# That src/Pixbridge/Generated is up to date is checked once, by
# `cargo run -p pixbridge-codegen -- --check` (part of `make test`).
# The plugin tests (PluginTests, ManifestPluginTests) load the plugins of PIXBRIDGE_PLUGIN_DIR;
# when it is unset, ci/build-plugins.sh builds them into target/plugins and it is set to that.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bindings-csharp/pack.sh

if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
  echo "== sample and test plugins (ci/build-plugins.sh)"
  bash ci/build-plugins.sh "$repo/target/plugins"
  export PIXBRIDGE_PLUGIN_DIR="$repo/target/plugins"
fi

echo "== dotnet test (net10.0, Pixbridge from the local feed; plugins from $PIXBRIDGE_PLUGIN_DIR)"
dotnet test bindings-csharp/tests/Pixbridge.Tests/Pixbridge.Tests.csproj -c Release --nologo \
  --logger "console;verbosity=normal"

# A single-file app with its native libraries bundled and extracted at run time by the .NET host
# (issue 15, item 7: the resolver did not look where the host extracts them).
echo "== single-file publish of samples/csharp (IncludeNativeLibrariesForSelfExtract), then run"
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "no single-file check for $(uname -m)"; exit 0 ;;
esac
single="$(mktemp -d)"
trap 'rm -rf "$single"' EXIT
dotnet publish samples/csharp/PixbridgeSample.csproj -c Release -r "$rid" --self-contained false --nologo -v quiet \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o "$single/app"
if find "$single/app" -name 'libpixbridge*' | grep -q .; then
  echo "error: the native library was published beside the app instead of inside the bundle" >&2
  exit 1
fi
mkdir -p "$single/input"
cp testdata/rocket.jpg "$single/input/"
DOTNET_BUNDLE_EXTRACT_BASE_DIR="$single/extract" "$single/app/PixbridgeSample" "$single/input" "$single/out"
test -s "$single/out/rocket-blur-mirror.png"
test -s "$single/out/rocket-sepia-vignette.png"
find "$single/extract" -name 'libpixbridge.so' | grep -q . \
  || { echo "error: the host did not extract the native library; the check proves nothing" >&2; exit 1; }
echo "single-file app ran with the library the host extracted"
