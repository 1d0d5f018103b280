#!/usr/bin/env bash
# `make bench`: runs the benchmark suite and writes docs/benchmarks.md and docs/img/blur-4k.svg.
#   1. pixbridge-bench (Rust): Pixbridge's blur vs libblur and the image crate, accuracy, memory,
#      codecs, pipeline;
#   1b. bench/examples/thread_scaling.rs: 1, 2, 4 caller threads on independent images, images/s
#      and peak RSS per row (out/bench/thread-scaling.jsonl);
#   1c. bench/examples/cancel_latency.rs: time from a cancel request to the return of every
#      operation, decode, encode, save and thumbnail on a 16384 x 16384 image
#      (out/bench/cancel-latency.jsonl);
#   2. the BenchmarkDotNet suite (bindings-csharp/benchmarks) when dotnet is there (the package
#      is packed into bindings-csharp/local-feed if missing);
#   2b. bindings-csharp/benchmarks/pipelines.sh: thumbnail / crop-shrink-sharpen / blur-mirror-PNG
#      jobs on inputs made from testdata/ against NetVips, SkiaSharp, ImageSharp and Magick.NET
#      (out/bench/pipelines-csharp.{jsonl,md});
#   3. ci/bench-peers.sh: OpenCV and libvips (Debian's, and NetVips' own build once step 2 has
#      restored it) on the same images, in the same run; then Pixbridge and OpenCV in pairs, one
#      call at a time (bench/scripts/paired.py);
#   4. the Java harness (bindings-java/bench) against the jar, packaged first from the current
#      sources (ci/package-java.sh);
#   4b. bindings-java/bench/pipelines.sh: the same jobs through Java, Pixbridge vs ImageIO + Java2D
#      (out/bench/pipelines-java.{jsonl,md});
#   5. the report (bench/scripts/report.py and bench/scripts/pipeline_plot.py, matplotlib).
# Every "a run at a time" timing follows bench/timing-rule.properties (profile full, or quick).
# Bounded: about 15-20 minutes on 2 cores (`--quick`: about 5). Results: out/bench/*.jsonl.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
unset CARGO_TARGET_DIR

quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
# Read by the BenchmarkDotNet suite (bindings-csharp/benchmarks/run.sh).
export PIXBRIDGE_TIMING_PROFILE=full
[ ${#quick[@]} -eq 0 ] || PIXBRIDGE_TIMING_PROFILE=quick
results=out/bench
# Stages that failed: the report is still written without them, then the run fails.
failed=()
rm -rf "$results"
mkdir -p "$results"

apt_install python3-matplotlib python3-opencv libvips-tools
require cargo "install Rust 1.93 or newer"
native_build_deps

stage "bench: building pixbridge-bench (release)"
cargo build --release --offline -q -p pixbridge-bench

stage "bench: Rust (Pixbridge, libblur, image crate)"
timeout 1200 target/release/pixbridge-bench "${quick[@]}" --export "$results/images" --out "$results/ours.jsonl"

# Issue 17: 1, 2 and 4 caller threads on independent 24 MP images (blur sigma 4), with the default
# worker pool and with PIXBRIDGE_WORKER_THREADS=1; images/s and peak RSS per row, one process per row.
stage "bench: thread scaling (bench/examples/thread_scaling.rs)"
cargo build --release --offline -q -p pixbridge-bench --example thread_scaling
if ! timeout 600 target/release/examples/thread_scaling "${quick[@]}" --out "$results/thread-scaling.jsonl"; then
    failed+=("thread scaling (bench/examples/thread_scaling.rs)")
fi

# Issue 17: cancellation latency, worst and median of cancels at 10, 50 and 90 % of each call.
stage "bench: cancellation latency (bench/examples/cancel_latency.rs)"
cargo build --release --offline -q -p pixbridge-bench --example cancel_latency
if ! timeout 900 target/release/examples/cancel_latency "${quick[@]}" --out "$results/cancel-latency.jsonl"; then
    failed+=("cancellation latency (bench/examples/cancel_latency.rs)")
fi

if command -v dotnet >/dev/null 2>&1; then
    stage "bench: C# (bindings-csharp/benchmarks, BenchmarkDotNet)"
    if ! ls bindings-csharp/local-feed/Pixbridge.*.nupkg >/dev/null 2>&1; then
        bash bindings-csharp/pack.sh
    fi
    if ! timeout 900 bash bindings-csharp/benchmarks/run.sh "$results/images/4k.png" "$results/csharp.md"; then
        rm -f "$results/csharp.md"
        failed+=("C# (bindings-csharp/benchmarks)")
    fi
    # Whole jobs (issue 13): Pixbridge vs NetVips, SkiaSharp, ImageSharp, Magick.NET, one process per cell.
    stage "bench: C# pipelines (bindings-csharp/benchmarks/pipelines.sh)"
    if ! PIXBRIDGE_SKIP_PACK=1 timeout 2400 bash bindings-csharp/benchmarks/pipelines.sh \
        "$results/pipelines-csharp.jsonl" "${quick[@]}"; then
        failed+=("C# pipelines (bindings-csharp/benchmarks/pipelines.sh)")
    fi
fi

# After the C# stage: it restores NetVips, whose own libvips the peers stage times as well.
stage "bench: OpenCV and libvips (ci/bench-peers.sh)"
timeout 900 bash ci/bench-peers.sh "${quick[@]}" --ours "$results/ours.jsonl" --images "$results/images" \
    --out "$results/peers.jsonl"

if [ -f bindings-java/bench/run.sh ]; then
    stage "bench: Java (bindings-java/bench)"
    # Always from the current sources: a jar left over from older sources would time old code.
    bash ci/package-java.sh
    # run.sh builds the bench-hooks JNI library and the shipped one again (two thin-LTO builds).
    if ! timeout 1200 bash bindings-java/bench/run.sh "$results/images/4k.png" "$results/ours.jsonl" "$results/java.jsonl" \
        "${quick[@]}"; then
        rm -f "$results/java.jsonl"
        failed+=("Java (bindings-java/bench)")
    fi
    # Whole jobs through Java (issue 13): Pixbridge vs ImageIO + Java2D, one process per cell.
    stage "bench: Java pipelines (bindings-java/bench/pipelines.sh)"
    if ! timeout 1800 bash bindings-java/bench/pipelines.sh "$results/pipelines-java.jsonl" "${quick[@]}"; then
        failed+=("Java pipelines (bindings-java/bench/pipelines.sh)")
    fi
    if [ -f "$results/pipelines-csharp.jsonl" ] && [ -f "$results/pipelines-java.jsonl" ]; then
        stage "bench: Pixbridge through Java vs through C#, interleaved (bench/scripts/java_vs_csharp.sh)"
        if ! timeout 900 bash bench/scripts/java_vs_csharp.sh "$results" "$results/java_vs_csharp.md" "${quick[@]}"; then
            rm -f "$results/java_vs_csharp.md"
            failed+=("Java vs C# (bench/scripts/java_vs_csharp.sh)")
        fi
    fi
fi

stage "bench: CLI vs vipsthumbnail (a folder of 24 MP JPEGs)"
if ! timeout 900 bash bench/scripts/cli_vs_vipsthumbnail.sh "$results/cli_vs_vipsthumbnail.md" "${quick[@]}"; then
    failed+=("CLI vs vipsthumbnail")
fi

stage "bench: report"
/usr/bin/python3 - "$results/machine.json" <<'PY'
import json, os, platform, subprocess, sys, datetime
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""
lscpu = dict(l.split(":", 1) for l in sh("LC_ALL=C lscpu").splitlines() if ":" in l)
os_name = dict(l.split("=", 1) for l in open("/etc/os-release").read().splitlines() if "=" in l).get("PRETTY_NAME", "")
info = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "cpu": lscpu.get("Model name", "").strip(),
    "cores": f"{os.cpu_count()} logical CPUs available",
    "memory": sh("free -h | awk '/^Mem:/ {print $2}'") + " RAM",
    "os": os_name.strip('"'),
    "kernel": platform.release(),
    "rustc": sh("rustc --version"),
    "opencv": "OpenCV " + sh("/usr/bin/python3 -c 'import cv2; print(cv2.__version__)'"),
    "vips": sh("vips --version"),
    "java": sh("java -version 2>&1 | head -1"),
    "dotnet": sh("dotnet --version") and ".NET SDK " + sh("dotnet --version"),
    "load": "load average at the end of the run: " + " ".join(open("/proc/loadavg").read().split()[:3]),
}
json.dump(info, open(sys.argv[1], "w"), indent=1)
PY
# The pipeline plot first: report.py links it when it exists.
pipeline_results=()
for suite in csharp java; do
    [ -s "$results/pipelines-$suite.jsonl" ] && pipeline_results+=("$results/pipelines-$suite.jsonl")
done
rm -f docs/img/pipelines.svg
if [ ${#pipeline_results[@]} -gt 0 ]; then
    /usr/bin/python3 bench/scripts/pipeline_plot.py docs/img/pipelines.svg "${pipeline_results[@]}"
fi
/usr/bin/python3 bench/scripts/report.py "$results" docs/benchmarks.md docs/img/blur-4k.svg
echo "wrote docs/benchmarks.md, docs/img/blur-4k.svg and docs/img/pipelines.svg (raw results in $results/)"
if [ ${#failed[@]} -gt 0 ]; then
    echo "error: benchmark stages failed (the report leaves them out): ${failed[*]}" >&2
    exit 1
fi
