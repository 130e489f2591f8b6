"""Whole-process runs and their medians.

Each run is a wrapper process (`child.py`) that starts the command, times it
with `time.perf_counter` and reads its peak RSS. The commands of one
comparison are interleaved, round by round, so that a machine that slows
down halfway (another job on a shared box) slows every command alike, and
the ratios stay fair even when the absolute figures drift.
"""

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).with_name("child.py")


class BenchmarkError(Exception):
    pass


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    env: dict[str, str] | None = None


@dataclass
class Figure:
    label: str
    seconds: list[float] = field(default_factory=list)
    peaks_mib: list[float] = field(default_factory=list)
    tree_peak_mib: float | None = None
    """Peak RSS of the whole process tree, sampled in the warm-up run."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        """Median over the runs of the largest process's peak RSS."""
        return statistics.median(self.peaks_mib)


def run_once(command: Command, sample_tree: bool = False) -> tuple[dict, str]:
    """One run of `command` in its wrapper: (the wrapper's report, the command's stdout)."""
    with tempfile.NamedTemporaryFile(suffix=".out") as out:
        options = ["--stdout", out.name] if sample_tree else []
        options += ["--sample-tree"] if sample_tree else []
        done = subprocess.run([sys.executable, str(CHILD), *options, "--", *command.argv],
                              capture_output=True, text=True, env=command.env, cwd=ROOT)
        if done.returncode != 0:
            raise BenchmarkError(f"{command.label}: the wrapper failed: {done.stderr}")
        report = json.loads(done.stdout)
        if report["returncode"] != 0:
            raise BenchmarkError(f"{command.label}: {' '.join(command.argv)} exited "
                                 f"{report['returncode']}: {report['stderr']}")
        return report, Path(out.name).read_text(encoding="utf-8", errors="replace")


def measure(commands: list[Command], repeats: int,
            check: Callable[[Command, str], None] | None = None) -> dict[str, Figure]:
    """Medians of `repeats` interleaved runs of each command.

    Each command first runs once unmeasured: it warms the disk cache and
    writes the bytecode cache, samples the process tree's memory, and hands
    its stdout to `check`, which may raise if the command did not do the
    work it is credited with.
    """
    figures = {c.label: Figure(c.label) for c in commands}
    for command in commands:
        report, stdout = run_once(command, sample_tree=True)
        figures[command.label].tree_peak_mib = report["tree_peak_mib"]
        if check:
            check(command, stdout)
    for round_number in range(repeats):
        # Start one further along each round: no command always follows the same one.
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            report, _ = run_once(command)
            figures[command.label].seconds.append(report["seconds"])
            figures[command.label].peaks_mib.append(report["peak_mib"])
    return figures
