#!/usr/bin/python3
"""The project's one timing rule (bench/timing-rule.properties), read for Python benchmarks and
handed on to programs that take it as an argument.

As a module: `Rule.read("full")`, `rule.measure(run)`, `rule.as_arg()`, `summary(samples)`.
As a command: `timing_rule.py PROFILE` prints the profile's colon argument (for C, C# and Java
runners); `timing_rule.py --get KEY` prints one value (e.g. `pair.rounds`, for shell scripts);
`timing_rule.py PROFILE --plan SECONDS` prints, for a case whose first warm-up took SECONDS, the
further warm-ups, min runs, max runs and time budget (s), space-separated (for shell loops).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

RULE_FILE = Path(__file__).resolve().parent.parent / "timing-rule.properties"


def read_properties(path: Path = RULE_FILE) -> dict[str, str]:
    """`key = value` lines of a Java-style properties file (no continuations or escapes: the
    rule file uses none)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, separator, value = line.partition("=")
        if not separator:
            raise ValueError(f"{path}:{number}: expected `key = value`, got {line!r}")
        values[key.strip()] = value.strip()
    return values


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (step 4 of the rule)."""
    pos = q * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summary(samples: list[float]) -> dict[str, Any]:
    """Median and spread of a list of milliseconds."""
    s = sorted(samples)
    return {"iterations": len(s), "median_ms": quantile(s, 0.5), "min_ms": s[0], "p25_ms": quantile(s, 0.25),
            "p75_ms": quantile(s, 0.75), "max_ms": s[-1]}


@dataclass(frozen=True)
class Rule:
    """One profile of bench/timing-rule.properties (the file's header says what each value does).
    The field order is the order of the colon argument."""

    warm_up: int
    min_runs: int
    max_runs: int
    budget_s: float
    fast_run_s: float
    fast_max_runs: int
    slow_run_s: float
    slow_min_runs: int

    @classmethod
    def read(cls, profile: str, path: Path = RULE_FILE) -> Rule:
        """The profile `profile` (`full` or `quick`) of the rule file."""
        values = read_properties(path)
        arguments = {}
        for field in fields(cls):
            key = f"{profile}.{field.name}"
            if key not in values:
                raise ValueError(f"{path}: {key} is missing")
            try:
                arguments[field.name] = int(values[key]) if field.type == "int" else float(values[key])
            except ValueError:
                raise ValueError(f"{path}: {key} = {values[key]!r} is not a number") from None
        return cls(**arguments)

    @classmethod
    def for_quick(cls, quick: bool) -> Rule:
        """`quick` for --quick runs, `full` otherwise."""
        return cls.read("quick" if quick else "full")

    def as_arg(self) -> str:
        """The colon argument of C, C# and Java runners: the values in file order."""
        return ":".join(f"{getattr(self, field.name):g}" if isinstance(getattr(self, field.name), float)
                        else str(getattr(self, field.name)) for field in fields(self))

    def plan(self, first_warm_up_s: float) -> tuple[int, int, int]:
        """(further warm-ups, min runs, max runs) once the first warm-up took `first_warm_up_s`."""
        if first_warm_up_s > self.slow_run_s:
            return 0, min(self.min_runs, self.slow_min_runs), self.max_runs
        max_runs = max(self.max_runs, self.fast_max_runs) if first_warm_up_s < self.fast_run_s else self.max_runs
        return max(self.warm_up - 1, 0), self.min_runs, max_runs

    def sample(self, run: Callable[[], T], first_warm_up_s: float,
               seconds: Callable[[T], float] = lambda value: value) -> list[T]:  # type: ignore[assignment,return-value]
        """The timed runs' results after a first warm-up that took `first_warm_up_s`. `run` does
        one run and returns its result, whose time in seconds is `seconds(result)` (by default the
        result itself), so a caller can time a pair of calls as one run, or exclude set-up."""
        warm_ups, min_runs, max_runs = self.plan(first_warm_up_s)
        for _ in range(warm_ups):
            run()
        results: list[T] = []
        spent = 0.0
        while len(results) < min_runs or (len(results) < max_runs and spent < self.budget_s):
            result = run()
            spent += seconds(result)
            results.append(result)
        return results

    def measure(self, call: Callable[[], object]) -> dict[str, Any]:
        """Samples `call` by the rule and returns the summary in milliseconds."""
        def run() -> float:
            start = time.perf_counter()
            call()
            return time.perf_counter() - start
        samples = self.sample(run, run())
        return summary([s * 1e3 for s in samples])


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--get":
        values = read_properties()
        if argv[1] not in values:
            print(f"timing_rule.py: {RULE_FILE}: {argv[1]} is missing", file=sys.stderr)
            return 1
        print(values[argv[1]])
        return 0
    if len(argv) == 1 and not argv[0].startswith("-"):
        print(Rule.read(argv[0]).as_arg())
        return 0
    if len(argv) == 3 and argv[1] == "--plan":
        rule = Rule.read(argv[0])
        print(*rule.plan(float(argv[2])), f"{rule.budget_s:g}")
        return 0
    print("usage: timing_rule.py PROFILE | --get KEY | PROFILE --plan SECONDS", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
