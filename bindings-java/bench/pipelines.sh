#!/usr/bin/env bash
# Pipeline benchmark through Java (issue 13): Pixbridge's Java SDK (the packaged jar) against
# ImageIO + Java2D on the jobs and inputs of the C# pipeline benchmark (thumbnail, crop-shrink-
# sharpen, blur-mirror-PNG), one process per cell, side by side in one session. Prints the table
# and writes every cell to OUT.jsonl, the table to OUT.md (OUT.jsonl with .md for .jsonl) and the
# output images beside them (OUT-outputs/).
#
#   bindings-java/bench/pipelines.sh OUT.jsonl [--quick]
#
# Steps: bench/scripts/pipeline_inputs.sh makes the inputs (4K and 24 MP JPEG, 4K PNG) from
# testdata/ into pipeline-inputs/ beside OUT.jsonl (kept while pipeline_inputs.sh is unchanged);
# the jar is bindings-java/target/pixbridge-*.jar as it is, as for bench/run.sh (ci/bench.sh
# packages it from the current sources just before), packaged by ci/package-java.sh only when
# there is none or PIXBRIDGE_PACK=1 asks for it; the bench sources are compiled against the jar; bench/scripts/pipelines.py runs each cell with
# `io.pixbridge.bench.Pipelines JOB LIBRARY INPUT OUTPUT RULE`, RULE being one profile of the
# project's timing rule (bench/timing-rule.properties) in its colon form: `full`, or `quick` with
# --quick. The runner samples the cell by that rule and its JSON line says how many warm-up and
# timed runs it made.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../ci/lib.sh"

source "$here/../../bench/scripts/pipeline_suite.sh"
pipeline_suite_setup "pipelines (Java)" "$@"

apt_install imagemagick python3-numpy openjdk-17-jdk-headless
require java "install openjdk-17-jdk-headless"
require javac "install openjdk-17-jdk-headless"

find_jar() {
    ls "$PIXBRIDGE_ROOT"/bindings-java/target/pixbridge-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1 || true
}
if [ "${PIXBRIDGE_PACK:-0}" = 1 ] || [ -z "$(find_jar)" ]; then
    stage "pipelines (Java): packaging the jar (ci/package-java.sh)"
    bash "$PIXBRIDGE_ROOT/ci/package-java.sh"
fi
jar="$(find_jar)"
[ -n "$jar" ] || { echo "error: no bindings-java/target/pixbridge-*.jar after packaging" >&2; exit 1; }
# A jar left over from older sources times old code: say which one this is.
echo "jar: $jar ($(date -r "$jar" '+%Y-%m-%d %H:%M'); PIXBRIDGE_PACK=1 repackages it from the current sources)"

stage "pipelines (Java): compiling the bench sources against the jar"
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -Xlint:all -Werror --release 17 -d "$classes" -cp "$jar" "$here"/src/io/pixbridge/bench/*.java

stage "pipelines (Java): running the cells"
# -Dio.pixbridge.imageio=false: the imageio cells time ImageIO as the JDK ships it, not through
# Pixbridge's ImageIO provider (which the jar on the class path would put first).
# -Xmx4g: room for ImageIO's full-size working images (a 24 MP TYPE_INT_RGB image is 96 MB and a
# job holds several at once) without the heap limit deciding the timings.
/usr/bin/python3 "$PIXBRIDGE_ROOT/bench/scripts/pipelines.py" \
    --runner "java -Xmx4g -Dio.pixbridge.imageio=false -cp $(printf '%q' "$jar:$classes") io.pixbridge.bench.Pipelines" \
    --inputs "$inputs" --out "$out" --markdown "${out%.jsonl}.md" \
    --libraries pixbridge,imageio --label java "${quick[@]}"
