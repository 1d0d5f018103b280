#!/usr/bin/env bash
# Pipeline benchmark through C# (issue 13): Pixbridge (the package from bindings-csharp/local-feed)
# against NetVips, SkiaSharp, ImageSharp and Magick.NET on whole jobs (thumbnail, crop-shrink-
# sharpen, blur-mirror-PNG), one process per cell, side by side in one session. Prints the table
# and writes every cell to OUT.jsonl, the table to OUT.md (OUT.jsonl with .md for .jsonl) and the
# output images beside them (OUT-outputs/).
#
#   bindings-csharp/benchmarks/pipelines.sh OUT.jsonl [--quick]
#
# Steps: bench/scripts/pipeline_inputs.sh makes the inputs (4K and 24 MP JPEG, 4K PNG) from
# testdata/ into pipeline-inputs/ beside OUT.jsonl (kept while pipeline_inputs.sh is unchanged);
# bindings-csharp/pack.sh refreshes the package (PIXBRIDGE_SKIP_PACK=1 uses the feed as it is);
# the benchmark program is built (Release); bench/scripts/pipelines.py runs each cell with
# `Pixbridge.Benchmarks --pipeline JOB LIBRARY INPUT OUTPUT RULE`, RULE being one profile of the
# project's timing rule (bench/timing-rule.properties) in its colon form: `full`, or `quick` with
# --quick. The runner samples the cell by that rule (untimed warm-ups, then timed runs within the
# rule's counts and time budget; fewer warm-ups and runs for a cell slower than slow_run_s) and its
# JSON line says how many of each ran. The runner runs with tiered compilation off, so that the
# untimed runs leave every library (ImageSharp is managed code) fully optimised for the timed
# ones, as in a long-running process.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../ci/lib.sh"

source "$here/../../bench/scripts/pipeline_suite.sh"
pipeline_suite_setup "pipelines" "$@"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

apt_install imagemagick python3-numpy
require dotnet "install the .NET 10 SDK"

if [ "${PIXBRIDGE_SKIP_PACK:-0}" != 1 ]; then
    stage "pipelines: packing Pixbridge (bindings-csharp/pack.sh)"
    bash "$PIXBRIDGE_ROOT/bindings-csharp/pack.sh"
fi

stage "pipelines: building the benchmark program (Release)"
project="$here/Pixbridge.Benchmarks"
dotnet build "$project/Pixbridge.Benchmarks.csproj" -c Release --nologo -v quiet
dll="$project/bin/Release/net10.0/Pixbridge.Benchmarks.dll"
test -f "$dll"

stage "pipelines: running the cells"
/usr/bin/python3 "$PIXBRIDGE_ROOT/bench/scripts/pipelines.py" \
    --runner "env DOTNET_TieredCompilation=0 dotnet $(printf '%q' "$dll") --pipeline" \
    --inputs "$inputs" --out "$out" --markdown "${out%.jsonl}.md" --label csharp "${quick[@]}"
