#!/usr/bin/env bash
# Runs the C# sample (samples/csharp) against the Pixbridge package from the local feed:
# open JPEG -> blur -> mirror -> save PNG for the JPEG test images. Outputs go to
# samples/csharp/out/ (or the folder given as the first argument).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bindings-csharp/pack.sh

out="${1:-$repo/samples/csharp/out}"
echo "== dotnet run samples/csharp"
dotnet run --project samples/csharp/PixbridgeSample.csproj -c Release -- "$repo/testdata" "$out"
