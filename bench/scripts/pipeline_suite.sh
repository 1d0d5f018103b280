# Sourced by the pipeline benchmark scripts of each SDK (bindings-csharp/benchmarks/pipelines.sh,
# bindings-java/bench/pipelines.sh), after ci/lib.sh: what they share before their runner.
#
# pipeline_suite_setup NAME "$@": reads `OUT.jsonl [--quick]` (exits 2 with the usage otherwise)
# into `out`, `quick` (an array, empty or --quick) and `results` (OUT.jsonl's folder), then makes
# the inputs into "$results/pipeline-inputs" with bench/scripts/pipeline_inputs.sh, kept while
# that script is unchanged; sets `inputs`. NAME labels the stage.
pipeline_suite_setup() {
    local name="$1"
    shift
    if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != --quick ]; }; then
        echo "usage: $0 OUT.jsonl [--quick]" >&2
        exit 2
    fi
    out="$(realpath -m "$1")"
    quick=()
    [ "${2:-}" = --quick ] && quick=(--quick)
    results="$(dirname "$out")"
    mkdir -p "$results"

    stage "$name: inputs (bench/scripts/pipeline_inputs.sh)"
    inputs="$results/pipeline-inputs"
    local generator="$PIXBRIDGE_ROOT/bench/scripts/pipeline_inputs.sh" stamp
    stamp="$(sha256sum "$generator" | cut -d' ' -f1)"
    if [ "$(cat "$inputs/.made-by" 2>/dev/null || true)" != "$stamp" ] \
        || ! [ -f "$inputs/4k.jpg" ] || ! [ -f "$inputs/24mp.jpg" ] || ! [ -f "$inputs/4k.png" ]; then
        rm -rf "$inputs"
        bash "$generator" "$inputs"
        echo "$stamp" > "$inputs/.made-by"
    else
        echo "using the inputs in $inputs (made by this version of pipeline_inputs.sh)"
    fi
}
