#!/usr/bin/python3
"""Plots the pipeline benchmark (bench/scripts/pipelines.py's JSONL, one or more suites): for each
cell (job and input), every library's median time and peak RSS side by side, Pixbridge first and
drawn solid. Cells a library cannot do, or that failed, are left out.

Usage: pipeline_plot.py OUT.svg RESULTS.jsonl [MORE.jsonl ...]
Run with Debian's python3 (python3-matplotlib). `make bench` calls it through report.py's
caller, ci/bench.sh.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CELL_ORDER = [("thumb400", "4k.jpg"), ("thumb400", "24mp.jpg"), ("thumb400", "4k.png"),
              ("crop-shrink-sharpen", "4k.jpg"), ("crop-shrink-sharpen", "24mp.jpg"),
              ("blur-mirror-png", "4k.jpg")]
OURS = "pixbridge"


def load(paths: list[Path]) -> list[dict]:
    """Rows that ran and succeeded."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("supported", True) and "error" not in row and "median_ms" in row:
                    rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out, paths = Path(argv[0]), [Path(p) for p in argv[1:]]
    rows = load(paths)
    if not rows:
        print("pipeline_plot.py: no successful cells in " + ", ".join(map(str, paths)), file=sys.stderr)
        return 1
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    suites = list(dict.fromkeys(row["suite"] for row in rows))
    # Library order: ours first, then as they appear, prefixed by the suite when there are several.
    def series(row: dict) -> str:
        return row["library"] if len(suites) == 1 else f"{row['suite']}: {row['library']}"
    names = sorted(dict.fromkeys(series(row) for row in rows), key=lambda name: (OURS not in name, name))
    cells = [cell for cell in CELL_ORDER if any((row["job"], row["input_name"]) == cell for row in rows)]
    by_key = {(series(row), row["job"], row["input_name"]): row for row in rows}

    fig, axes = plt.subplots(1, 2, figsize=(14, 0.9 * len(cells) * max(1, len(names)) / 3 + 2), sharey=True)
    height = 0.8 / len(names)
    for panel, (key, label) in zip(axes, (("median_ms", "median ms per job (log)"), ("peak_rss_mb", "peak RSS of the process, MB"))):
        for index, name in enumerate(names):
            ys, values = [], []
            for position, (job, input_name) in enumerate(cells):
                row = by_key.get((name, job, input_name))
                if row is not None:
                    ys.append(position + index * height)
                    values.append(row[key])
            ours = OURS in name
            panel.barh(ys, values, height=height, label=name, alpha=1.0 if ours else 0.55,
                       edgecolor="black" if ours else None)
        if key == "median_ms":
            panel.set_xscale("log")
        panel.set_xlabel(label)
        panel.grid(True, axis="x", which="both", alpha=0.3)
    axes[0].set_yticks([position + 0.4 - height / 2 for position in range(len(cells))])
    axes[0].set_yticklabels([f"{job}\n{input_name}" for job, input_name in cells])
    axes[0].invert_yaxis()
    axes[1].legend(fontsize=8, loc="lower right")
    profiles = sorted({row.get("rule_profile", "?") for row in rows})
    fig.suptitle(f"Whole jobs, one process per cell ({', '.join(suites)}; timing rule: {', '.join(profiles)})")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    # SVG without a date, so that an unchanged figure leaves git clean; other formats by suffix.
    fig.savefig(out, **({"format": "svg", "metadata": {"Date": None}} if out.suffix == ".svg" else {}))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
