#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite on IMAGE (a PNG) and writes the GitHub-markdown reports into OUT.md,
# followed by the C#-vs-Rust blur comparison (same image, same sigma, same thread count).
# Pixbridge comes from bindings-csharp/local-feed, which this script refreshes first with
# bindings-csharp/pack.sh so that the packaged native library and the Rust timer are built from the
# same sources (PIXBRIDGE_SKIP_PACK=1 uses the feed as it is).
# Usage: bindings-csharp/benchmarks/run.sh IMAGE.png OUT.md [BenchmarkDotNet arguments]
#
# Counts come from the project's timing rule, bench/timing-rule.properties. The BenchmarkDotNet
# classes of millisecond-scale blurs take their warm-up and iteration counts from it (warm_up and
# min_runs of the profile; min(min_runs, slow_min_runs) for the slow Magick.NET class: see
# TimingRuleConfig in Pixbridge.Benchmarks/Program.cs); the call-overhead micro-benchmarks keep
# BenchmarkDotNet's own statistics, which the rule leaves out. This script exports
# PIXBRIDGE_TIMING_RULE (that file) and PIXBRIDGE_TIMING_PROFILE for the program.
#
# The comparison alternates, round by round, the C# timer (this program's --blur-timing mode, through
# the Pixbridge package) and the Rust timer (bench/examples/rust_blur_timing.rs,
# pixbridge_core directly), each in its own process with RAYON_NUM_THREADS set to the same value, and
# reports the median C#/Rust ratio over the rounds with its range. The C# process runs with tiered
# compilation off (see below). Its counts are the rule file's fixed `pair` design, not its adaptive
# sampling. Environment:
#   PIXBRIDGE_TIMING_PROFILE   profile of the rule for the BenchmarkDotNet classes (default full;
#                              ci/bench.sh calls this script without --quick and this script has no
#                              such flag: set quick here for a look, not a figure to quote)
#   PIXBRIDGE_PAIR_SIGMAS      sigmas to compare (default "2 10 40"; empty skips the comparison)
#   PIXBRIDGE_PAIR_ROUNDS      alternating rounds per sigma (default: the rule file's pair.rounds; the
#                              file says why fewer cannot resolve the 2% target)
#   PIXBRIDGE_PAIR_ITERATIONS  timed blurs per process (default: the rule file's pair.iterations)
#   PIXBRIDGE_OVERHEAD_PAIRS   alternating pairs of the SDK-vs-bare-export comparison (default 60)
#   RAYON_NUM_THREADS          thread count for both sides (default: the number of CPUs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="$(realpath "$1")"
out="$(realpath -m "$2")"
shift 2
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT
export PIXBRIDGE_TIMING_RULE="$repo/bench/timing-rule.properties"
export PIXBRIDGE_TIMING_PROFILE="${PIXBRIDGE_TIMING_PROFILE:-full}"
# One value of the rule file (bench/scripts/timing_rule.py --get fails, naming the key, if it is missing).
rule_value() { python3 "$repo/bench/scripts/timing_rule.py" --get "$1"; }
sigmas="${PIXBRIDGE_PAIR_SIGMAS-2 10 40}"
rounds="${PIXBRIDGE_PAIR_ROUNDS:-$(rule_value pair.rounds)}"
iterations="${PIXBRIDGE_PAIR_ITERATIONS:-$(rule_value pair.iterations)}"
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-$(nproc)}"

if [ "${PIXBRIDGE_SKIP_PACK:-0}" != 1 ]; then
  bash "$repo/bindings-csharp/pack.sh"
fi
if [ -n "$sigmas" ]; then
  echo "== Rust blur timer (release): cargo build --example rust_blur_timing"
  (cd "$repo" && cargo build --release --offline -q -p pixbridge-bench --example rust_blur_timing)
  rust_timer="${CARGO_TARGET_DIR:-$repo/target}/release/examples/rust_blur_timing"
fi

cd "$here/Pixbridge.Benchmarks"
[ $# -gt 0 ] || set -- --filter '*'
echo "== BenchmarkDotNet: timing rule $PIXBRIDGE_TIMING_RULE, profile $PIXBRIDGE_TIMING_PROFILE"
PIXBRIDGE_BENCH_IMAGE="$image" dotnet run -c Release -- --artifacts "$artifacts" "$@"
cat "$artifacts"/results/*-report-github.md > "$out"
# BenchmarkDotNet exits 0 even when every benchmark threw (its tables then say NA).
if grep -q "Benchmarks with issues" "$out"; then
  echo "error: some benchmarks failed (see their output above); $out lists them" >&2
  exit 1
fi

[ -n "$sigmas" ] || exit 0
echo "== C# vs Rust blur: sigmas $sigmas, $rounds rounds, $iterations blurs per process, $RAYON_NUM_THREADS threads"
pairs="$artifacts/pairs.jsonl"
: > "$pairs"
for sigma in $sigmas; do
  for round in $(seq 1 "$rounds"); do
    # Alternate which side goes first, so that drift on the shared machine favours neither.
    if (( round % 2 )); then order="csharp rust"; else order="rust csharp"; fi
    for side in $order; do
      if [ "$side" = csharp ]; then
        # Tiered compilation off: otherwise its background thread is still compiling start-up code
        # (about 10 ms of CPU per blur here) during the first seconds, which a long-running app
        # never pays; with it off the managed code is final from the first call.
        line="$(DOTNET_TieredCompilation=0 dotnet bin/Release/net10.0/Pixbridge.Benchmarks.dll --blur-timing "$image" "$sigma" "$iterations")"
      else
        line="$("$rust_timer" "$image" "$sigma" "$iterations")"
      fi
      echo "sigma $sigma round $round $side: $line"
      echo "{\"side\":\"$side\",\"round\":$round,\"result\":$line}" >> "$pairs"
    done
  done
done
python3 - "$pairs" "$rounds" "$iterations" >> "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
rounds, iterations = sys.argv[2], sys.argv[3]
by = {}
for r in rows:
    by.setdefault(r["result"]["sigma"], {}).setdefault(r["round"], {})[r["side"]] = r["result"]
first = rows[0]["result"]
print()
print(f"C# vs Rust, 4K blur ({first['width']}x{first['height']}, {first['threads']} threads on both sides): "
      f"{rounds} alternating rounds of one process per side, each the median of {iterations} timed blurs after 2 untimed ones. "
      "Wall time, and CPU time of all the process's threads per blur (/proc/self/task/*/schedstat), which other "
      "load on the machine disturbs far less. Ratios: median over the rounds [min, max].")
print()
print("| Sigma | C# wall ms | Rust wall ms | C#/Rust wall | C# CPU ms | Rust CPU ms | C#/Rust CPU |")
print("|------:|-----------:|-------------:|-------------:|----------:|------------:|------------:|")
def summary(values):
    return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"
for sigma, per_round in sorted(by.items()):
    pairs = [(p["csharp"], p["rust"]) for p in per_round.values() if len(p) == 2]
    wall = [c["median_ms"] / r["median_ms"] for c, r in pairs]
    cpu = [c["cpu_median_ms"] / r["cpu_median_ms"] for c, r in pairs if r["cpu_median_ms"] > 0]
    print(f"| {sigma:g} | {statistics.median(c['median_ms'] for c, _ in pairs):.1f} "
          f"| {statistics.median(r['median_ms'] for _, r in pairs):.1f} | {summary(wall)} "
          f"| {statistics.median(c['cpu_median_ms'] for c, _ in pairs):.1f} "
          f"| {statistics.median(r['cpu_median_ms'] for _, r in pairs):.1f} | {summary(cpu) if cpu else 'n/a'} |")
PY

# What the SDK adds, measured in one process: Image.Blur against the bare export on the same
# image, alternating call by call (--blur-overhead), so that both halves see the same machine.
overhead_pairs="${PIXBRIDGE_OVERHEAD_PAIRS:-60}"
echo "== C# SDK vs the bare export, one process: sigmas $sigmas, $overhead_pairs alternating pairs"
overhead="$artifacts/overhead.jsonl"
: > "$overhead"
for sigma in $sigmas; do
  DOTNET_TieredCompilation=0 dotnet bin/Release/net10.0/Pixbridge.Benchmarks.dll --blur-overhead "$image" "$sigma" \
    "$overhead_pairs" | tee -a "$overhead"
done
python3 - "$overhead" >> "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print()
print(f"C# SDK vs the same Rust blur called directly (the bare `pixbridge_image_blur` export through the generated "
      f"P/Invoke, raw handles), in one process, {rows[0]['pairs']} pairs alternating call by call; ratio = median "
      "of the per-pair SDK/direct ratios [p25, p75].")
print()
print("| Sigma | SDK ms | direct ms | SDK/direct |")
print("|------:|-------:|----------:|-----------:|")
for r in rows:
    print(f"| {r['sigma']:g} | {r['sdk_median_ms']:.1f} | {r['direct_median_ms']:.1f} "
          f"| {r['ratio_median']:.4f} [{r['ratio_p25']:.4f}, {r['ratio_p75']:.4f}] |")
PY
