#!/usr/bin/env bash
# Runs the C# sample (samples/csharp) against the Pixbridge package from the local feed:
# open JPEG -> blur -> mirror -> save PNG for the JPEG test images, then the sample plugins
# (sepia and vignette) loaded from PIXBRIDGE_PLUGIN_DIR (built by ci/build-plugins.sh into
# target/plugins when the variable is unset). Outputs go to samples/csharp/out/ (or the folder
# given as the first argument).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bindings-csharp/pack.sh

if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
  echo "== the sample plugins (ci/build-plugins.sh)"
  bash ci/build-plugins.sh "$repo/target/plugins"
  export PIXBRIDGE_PLUGIN_DIR="$repo/target/plugins"
fi

out="${1:-$repo/samples/csharp/out}"
echo "== dotnet run samples/csharp"
dotnet run --project samples/csharp/PixbridgeSample.csproj -c Release -- "$repo/testdata" "$out"
