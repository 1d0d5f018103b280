#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite on IMAGE (a PNG) and writes the GitHub-markdown reports into OUT.md.
# Pixbridge comes from bindings-csharp/local-feed (ci/test-csharp.sh or bindings-csharp/pack.sh fills it).
# Usage: bindings-csharp/benchmarks/run.sh IMAGE.png OUT.md [BenchmarkDotNet arguments]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
image="$(realpath "$1")"
out="$(realpath -m "$2")"
shift 2
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT
cd "$here/Pixbridge.Benchmarks"
[ $# -gt 0 ] || set -- --filter '*'
PIXBRIDGE_BENCH_IMAGE="$image" dotnet run -c Release -- --artifacts "$artifacts" "$@"
cat "$artifacts"/results/*-report-github.md > "$out"
