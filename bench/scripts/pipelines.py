#!/usr/bin/python3
"""Pipeline benchmark driver (issue 13): runs every (job, input, library) cell through a runner
command, one process per cell, measures thumbnail quality, and prints a side-by-side table.

Usage: pipelines.py --runner 'CMD ...' --inputs DIR --out OUT.jsonl [--outputs DIR]
                    [--libraries pixbridge,netvips,...] [--jobs thumb400,...] [--label NAME]
                    [--quick] [--markdown OUT.md]
       pipelines.py --from-jsonl EARLIER.jsonl --inputs DIR --out OUT.jsonl [...]   (table only)

The runner is any program that takes JOB LIBRARY INPUT OUTPUT RULE as its last five arguments,
samples the job by RULE (one profile of the project's timing rule, bench/timing-rule.properties,
in its colon form: `full`, or `quick` with --quick), writes OUTPUT, and prints one JSON line with
at least: job, library, supported (false: the library cannot do the job; nothing else needed),
median_ms, p25_ms, p75_ms, min_ms, max_ms, runs, warmup_runs, peak_rss_mb, output_bytes. The C#
runner is `Pixbridge.Benchmarks --pipeline` (bindings-csharp/benchmarks/pipelines.sh), the Java
one `io.pixbridge.bench.Pipelines` (bindings-java/bench/pipelines.sh).

Inputs (bench/scripts/pipeline_inputs.sh makes them): 4k.jpg, 24mp.jpg, 4k.png. Cells:
thumb400 on all three, crop-shrink-sharpen on both JPEGs, blur-mirror-png on 4k.jpg. For thumb400
outputs, PSNR against an exact area reduction of the input (bench/scripts/psnr.py). Writes every
row (the runner's JSON plus input_name, psnr_db, width, height, error) to OUT.jsonl, prints the
markdown table, and exits 1 if any cell failed (after writing and printing the rest).
Run with Debian's python3 (python3-numpy; ImageMagick for the PSNR decodes).
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psnr  # noqa: E402  (a sibling script, importable once its folder is on the path)
from timing_rule import Rule  # noqa: E402

Row = dict[str, Any]

# (job, input file, output extension), in table order.
CELLS: list[tuple[str, str, str]] = [
    ("thumb400", "4k.jpg", "jpg"),
    ("thumb400", "24mp.jpg", "jpg"),
    ("thumb400", "4k.png", "jpg"),
    ("crop-shrink-sharpen", "4k.jpg", "jpg"),
    ("crop-shrink-sharpen", "24mp.jpg", "jpg"),
    ("blur-mirror-png", "4k.jpg", "png"),
]
JOB_TITLES = {
    "thumb400": "thumbnail 400 px wide, JPEG q80",
    "crop-shrink-sharpen": "crop 100 px off each edge, shrink to 90 % (Lanczos3), sharpen, JPEG q75",
    "blur-mirror-png": "blur sigma 40, mirror, PNG",
}
DEFAULT_LIBRARIES = "pixbridge,netvips,skiasharp,imagesharp,magick"
OURS = "pixbridge"


@dataclass
class Settings:
    """What one run of the suite does."""

    runner: list[str]
    inputs: Path
    outputs: Path
    libraries: list[str]
    jobs: list[str]
    rule: Rule
    profile: str
    timeout_s: float
    label: str
    previous: Path | None = None


def parse_arguments(argv: list[str]) -> tuple[Settings, Path, Path | None]:
    """Reads the command line; returns the settings, the JSONL path and the markdown path."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runner", help="command (shell words) that runs one cell")
    parser.add_argument("--from-jsonl", type=Path, help="print the table of an earlier run's JSONL instead of running")
    parser.add_argument("--inputs", required=True, type=Path, help="folder made by pipeline_inputs.sh")
    parser.add_argument("--out", required=True, type=Path, help="JSONL of every cell")
    parser.add_argument("--outputs", type=Path, help="folder for the output images (default: beside --out)")
    parser.add_argument("--libraries", default=DEFAULT_LIBRARIES, help="comma-separated, ours first")
    parser.add_argument("--jobs", default=",".join(dict.fromkeys(job for job, _, _ in CELLS)))
    parser.add_argument("--label", default="csharp", help="suite name recorded in each row")
    parser.add_argument("--quick", action="store_true", help="the timing rule's quick profile (default: full)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    if options.runner is None and options.from_jsonl is None:
        parser.error("give --runner (or --from-jsonl to reprint a table)")
    outputs = options.outputs or options.out.with_name(options.out.stem + "-outputs")
    settings = Settings(
        runner=shlex.split(options.runner or ""),
        inputs=options.inputs,
        outputs=outputs,
        libraries=[name for name in options.libraries.split(",") if name],
        jobs=[name for name in options.jobs.split(",") if name],
        rule=Rule.for_quick(options.quick),
        profile="quick" if options.quick else "full",
        timeout_s=600.0 if options.quick else 900.0,
        label=options.label,
    )
    settings.previous = options.from_jsonl
    return settings, options.out, options.markdown


def run_cell(settings: Settings, job: str, input_name: str, extension: str, library: str) -> Row:
    """Runs one cell in its own process and returns its row (with 'error' when it failed)."""
    input_path = settings.inputs / input_name
    stem = input_name.replace(".", "-")
    output_path = settings.outputs / f"{job}.{stem}.{library}.{extension}"
    output_path.unlink(missing_ok=True)
    row: Row = {"suite": settings.label, "job": job, "library": library, "rule_profile": settings.profile,
                "input_name": input_name, "input": str(input_path), "output": str(output_path)}
    command = settings.runner + [job, library, str(input_path), str(output_path), settings.rule.as_arg()]
    started = time.monotonic()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=settings.timeout_s,
                                check=False)
    except subprocess.TimeoutExpired:
        row["error"] = f"timed out after {settings.timeout_s:g} s"
        return row
    row["process_s"] = round(time.monotonic() - started, 2)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        row["error"] = f"exit {result.returncode}: " + " | ".join(tail)
        return row
    try:
        reported = json.loads(lines[-1])
    except json.JSONDecodeError as error:
        row["error"] = f"bad JSON from the runner ({error}): {lines[-1][:200]}"
        return row
    row.update({key: value for key, value in reported.items() if key not in ("input", "output")})
    if not reported.get("supported", True):
        return row
    if not output_path.is_file():
        row["error"] = "the runner reported success but wrote no output"
    return row


def jpeg_chroma(path: Path) -> str | None:
    """Chroma subsampling of a JPEG from its frame header ('4:2:0', '4:4:4', ...), None if not a
    JPEG or unreadable. Encoders differ here, and it changes both file size and PSNR."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:2] != b"\xff\xd8":
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):  # baseline, extended, progressive frame headers
            count = data[position + 9]
            factors = [data[position + 11 + 3 * i] for i in range(count)]
            if count != 3:
                return "gray" if count == 1 else f"{count} components"
            h, v = factors[0] >> 4, factors[0] & 15
            if any(f != 0x11 for f in factors[1:]):
                return "unusual"
            return {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (1, 2): "4:4:0"}.get((h, v), f"{h}x{v}")
        position += 2 + length
    return None


def add_quality(rows: list[Row], inputs: Path) -> None:
    """Adds jpeg_chroma to every JPEG output's row, and psnr_db, width and height to every
    successful thumbnail row (one full-size decode per input)."""
    decoded: dict[str, psnr.Pixels] = {}
    for row in rows:
        if "error" not in row and row.get("supported", True):
            chroma = jpeg_chroma(Path(row["output"]))
            if chroma is not None:
                row["jpeg_chroma"] = chroma
        if row["job"] != "thumb400" or "error" in row or not row.get("supported", True):
            continue
        name = row["input_name"]
        try:
            if name not in decoded:
                decoded.clear()  # keep one full-size decode (up to 72 MB) at a time
                decoded[name] = psnr.decode_rgb(str(inputs / name))
            row.update(psnr.thumbnail_psnr(decoded[name], row["output"]))
        except (RuntimeError, ValueError) as error:
            row["error"] = f"PSNR: {error}"


def format_cell(row: Row | None, settings: Settings) -> str:
    """One table cell: median [p25-p75] ms (CPU ms of all threads, when the runner reports it),
    peak RSS, output size, PSNR; '-' when not supported."""
    if row is None:
        return "n/a"
    if "error" in row:
        return "error"
    if not row.get("supported", True):
        return "-"
    text = f"{row['median_ms']:.1f} ms [{row['p25_ms']:.1f}-{row['p75_ms']:.1f}] "
    if "cpu_median_ms" in row:
        text += f"(CPU {row['cpu_median_ms']:.0f}) "
    text += f"· {row['peak_rss_mb']:.0f} MB · {row['output_bytes'] / 1000:.0f} kB"
    if row.get("jpeg_chroma", "4:2:0") != "4:2:0":
        text += f" ({row['jpeg_chroma']})"
    if "psnr_db" in row:
        text += f" · {row['psnr_db']:.2f} dB"
    if row.get("runs") and row["runs"] < settings.rule.min_runs:
        text += f" ({row['runs']} runs)"
    return text


def ok(row: Row | None) -> bool:
    """True for a row that was run and succeeded."""
    return row is not None and "error" not in row and row.get("supported", True)


def table(rows: list[Row], settings: Settings) -> str:
    """The markdown report: the side-by-side table and Pixbridge against the fastest peer."""
    by_cell = {(row["job"], row["input_name"], row["library"]): row for row in rows}
    groups = [(job, name) for job, name, _ in CELLS if job in settings.jobs]
    lines = [
        f"Pipelines ({settings.label}): median [p25-p75] of the timed runs, sampled by the {settings.profile} "
        f"profile of bench/timing-rule.properties ({settings.rule.warm_up} untimed runs, then "
        f"{settings.rule.min_runs} to {settings.rule.max_runs} timed ones within {settings.rule.budget_s:g} s; "
        f"a cell slower than {settings.rule.slow_run_s:g} s has 1 untimed and at least "
        f"{settings.rule.slow_min_runs} timed, and says how many), "
        "one process per cell; (CPU: median CPU time of all the process's threads per run, which other "
        "load disturbs less); peak RSS of that process (VmHWM); output size; for thumbnails, PSNR "
        "against an exact area reduction of the full-size decode. JPEG outputs are 4:2:0 unless the cell "
        "says otherwise. '-': the library has no such operation.",
        "",
        "| job | input | " + " | ".join(settings.libraries) + " |",
        "| --- | --- | " + " | ".join("---" for _ in settings.libraries) + " |",
    ]
    for job, name in groups:
        cells = [format_cell(by_cell.get((job, name, library)), settings) for library in settings.libraries]
        lines.append(f"| {JOB_TITLES.get(job, job)} | {name} | " + " | ".join(cells) + " |")
    if OURS in settings.libraries:
        lines += [
            "",
            f"{OURS} against the fastest peer of each job (speed-up > 1: {OURS} is faster; "
            "RSS ratio < 1: it holds less memory):",
            "",
            f"| job | input | {OURS} ms | fastest peer | peer ms | speed-up | {OURS} MB | peer MB | RSS ratio "
            f"| {OURS} dB | peer dB |",
            "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for job, name in groups:
            ours = by_cell.get((job, name, OURS))
            peers = [by_cell.get((job, name, library)) for library in settings.libraries if library != OURS]
            timed = [peer for peer in peers if ok(peer)]
            if not ok(ours) or not timed:
                lines.append(f"| {job} | {name} | {format_cell(ours, settings)} | n/a | | | | | | | |")
                continue
            assert ours is not None
            best = min(timed, key=lambda peer: peer["median_ms"])
            lines.append(
                f"| {job} | {name} | {ours['median_ms']:.1f} | {best['library']} | {best['median_ms']:.1f} "
                f"| {best['median_ms'] / ours['median_ms']:.2f}x | {ours['peak_rss_mb']:.0f} "
                f"| {best['peak_rss_mb']:.0f} | {ours['peak_rss_mb'] / best['peak_rss_mb']:.2f} "
                f"| {quality(ours)} | {quality(best)} |")
    failed = [row for row in rows if "error" in row]
    if failed:
        lines += ["", "Failed cells:", ""]
        lines += [f"- {row['job']} {row['input_name']} {row['library']}: {row['error']}" for row in failed]
    return "\n".join(lines) + "\n"


def quality(row: Row) -> str:
    """The PSNR of a row for the ratio table, or blank."""
    value = row.get("psnr_db")
    if value is None:
        return ""
    return "inf" if math.isinf(value) else f"{value:.2f}"


def main(argv: list[str]) -> int:
    """Runs the suite; returns 1 if any cell failed."""
    settings, out, markdown = parse_arguments(argv)
    missing = [name for _, name, _ in CELLS if not (settings.inputs / name).is_file()]
    if missing:
        print(f"error: missing inputs in {settings.inputs}: {', '.join(missing)} "
              "(bench/scripts/pipeline_inputs.sh makes them)", file=sys.stderr)
        return 2
    settings.outputs.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    if settings.previous is not None:
        with settings.previous.open(encoding="utf-8") as file:
            rows = [json.loads(line) for line in file if line.strip()]
        profiles = {row["rule_profile"] for row in rows if "rule_profile" in row}
        if len(profiles) == 1:
            settings.profile = profiles.pop()
            settings.rule = Rule.read(settings.profile)
    groups = [cell for cell in CELLS if cell[0] in settings.jobs and settings.previous is None]
    for index, (job, name, extension) in enumerate(groups):
        # Rotate the library order from group to group, so that drift on a shared machine
        # does not always favour the same library.
        shift = index % len(settings.libraries)
        for library in settings.libraries[shift:] + settings.libraries[:shift]:
            row = run_cell(settings, job, name, extension, library)
            print(f"{job} {name} {library}: {format_cell(row, settings)}"
                  + (f" ({row['error']})" if "error" in row else ""), file=sys.stderr, flush=True)
            rows.append(row)
    add_quality(rows, settings.inputs)
    with out.open("w", encoding="utf-8") as file:
        for row in rows:
            file.write(json.dumps(row) + "\n")
    report = table(rows, settings)
    print(report)
    if markdown is not None:
        markdown.write_text(report, encoding="utf-8")
    if any("error" in row for row in rows):
        print(f"error: {sum('error' in row for row in rows)} cells failed (listed above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
