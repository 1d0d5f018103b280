#!/usr/bin/env bash
# Pixbridge through Java against Pixbridge through C# on the pipeline jobs (issue 13: "Java within
# 5 % of C#"), interleaved. The two pipeline suites run one after the other, minutes apart, and on
# this kind of VM a cell drifts by 5-15 % between such runs, more than the difference to show. Here
# each round runs every cell once through C# and once through Java, back to back (the same runners
# as the suites: `Pixbridge.Benchmarks --pipeline` and `io.pixbridge.bench.Pipelines`, one process
# per run, each sampled by the project's timing rule), and the table gives the median over the
# rounds of each runner's median and their ratio. Figures, not assertions.
#
#   bench/scripts/java_vs_csharp.sh RESULTS_DIR OUT.md [--quick]
#
# Run it after both pipeline suites with the same RESULTS_DIR: it uses their inputs
# (RESULTS_DIR/pipeline-inputs), the C# benchmark program they built and the packaged jar.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../ci/lib.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ] || { [ $# -eq 3 ] && [ "$3" != --quick ]; }; then
    echo "usage: $0 RESULTS_DIR OUT.md [--quick]" >&2
    exit 2
fi
results="$(realpath "$1")"
report="$(realpath -m "$2")"
profile=full
rounds=3
[ "${3:-}" = --quick ] && { profile=quick; rounds=2; }
inputs="$results/pipeline-inputs"
for input in 4k.jpg 24mp.jpg 4k.png; do
    [ -f "$inputs/$input" ] || { echo "error: $inputs/$input is missing: run the pipeline suites first" >&2; exit 1; }
done

rule="$(/usr/bin/python3 "$PIXBRIDGE_ROOT/bench/scripts/timing_rule.py" "$profile")"
dll="$PIXBRIDGE_ROOT/bindings-csharp/benchmarks/Pixbridge.Benchmarks/bin/Release/net10.0/Pixbridge.Benchmarks.dll"
[ -f "$dll" ] || { echo "error: $dll is missing: run bindings-csharp/benchmarks/pipelines.sh first" >&2; exit 1; }
jar="$(ls "$PIXBRIDGE_ROOT"/bindings-java/target/pixbridge-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1 || true)"
[ -n "$jar" ] || { echo "error: no packaged jar: run bindings-java/bench/pipelines.sh first" >&2; exit 1; }
classes="$(mktemp -d)"
scratch="$(mktemp -d)"
trap 'rm -rf "$classes" "$scratch"' EXIT
javac --release 17 -d "$classes" -cp "$jar" "$PIXBRIDGE_ROOT"/bindings-java/bench/src/io/pixbridge/bench/*.java

# The suites' runner settings: tiered compilation off for C#, -Xmx4g for Java.
cells=("thumb400 4k.jpg jpg" "thumb400 24mp.jpg jpg" "thumb400 4k.png jpg"
       "crop-shrink-sharpen 4k.jpg jpg" "crop-shrink-sharpen 24mp.jpg jpg" "blur-mirror-png 4k.jpg png")
lines="$scratch/runs.jsonl"
for round in $(seq 1 "$rounds"); do
    stage "Java vs C#: round $round of $rounds"
    for cell in "${cells[@]}"; do
        read -r job input extension <<<"$cell"
        csharp="$(DOTNET_TieredCompilation=0 dotnet "$dll" --pipeline "$job" pixbridge "$inputs/$input" \
            "$scratch/csharp.$extension" "$rule" | tail -1)"
        java="$(java -Xmx4g -cp "$jar:$classes" io.pixbridge.bench.Pipelines "$job" pixbridge "$inputs/$input" \
            "$scratch/java.$extension" "$rule" | tail -1)"
        echo "{\"sdk\": \"csharp\", \"cell\": $csharp}" >>"$lines"
        echo "{\"sdk\": \"java\", \"cell\": $java}" >>"$lines"
        echo "$job $input: C# $(echo "$csharp" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])') ms," \
            "Java $(echo "$java" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])') ms"
    done
done

/usr/bin/python3 - "$lines" "$report" "$rounds" "$profile" "$(dirname "${BASH_SOURCE[0]}")" <<'PY'
import json, os, statistics, sys
lines, report, rounds, profile, scripts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path.insert(0, scripts)
from report import JAVA_VS_CSHARP_TARGET  # the one definition of the target
limit = 1 + JAVA_VS_CSHARP_TARGET
runs = {}
for line in open(lines):
    row = json.loads(line)
    cell = row["cell"]
    key = (cell["job"], os.path.basename(cell["input"]))
    runs.setdefault(key, {"csharp": [], "java": []})[row["sdk"]].append(cell)
out = [f"Pixbridge through Java against Pixbridge through C#, interleaved: {rounds} rounds, each running every cell "
       f"once through C# and then once through Java (one process per run, sampled by the {profile} profile of "
       "bench/timing-rule.properties). Per cell: the median over the rounds of each runner's median, the ratio "
       f"of those, and the per-round ratios. Target: Java within {JAVA_VS_CSHARP_TARGET:.0%} of C#.",
       "",
       "| job | input | C# ms | Java ms | Java / C# | per round | C# MB | Java MB | verdict |",
       "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |"]
for (job, input_name), sdks in runs.items():
    csharp = statistics.median(c["median_ms"] for c in sdks["csharp"])
    java = statistics.median(c["median_ms"] for c in sdks["java"])
    per_round = ", ".join(f"{j['median_ms'] / c['median_ms']:.2f}" for c, j in zip(sdks["csharp"], sdks["java"]))
    ratio = java / csharp
    verdict = "met" if ratio <= limit else f"missed by {ratio - limit:.1%}"
    rss = lambda cells: max(c["peak_rss_mb"] for c in cells)
    out.append(f"| {job} | {input_name} | {csharp:.1f} | {java:.1f} | {ratio:.3f} | {per_round} "
               f"| {rss(sdks['csharp']):.0f} | {rss(sdks['java']):.0f} | {verdict} |")
open(report, "w").write("\n".join(out) + "\n")
print("\n".join(out))
print(f"written: {report}")
PY
