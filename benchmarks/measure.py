"""Medians of whole-process runs, each measured by `child.py`."""

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")


class BenchmarkError(Exception):
    pass


@dataclass(frozen=True)
class Figure:
    label: str
    seconds: float
    """Median wall time."""
    peak_mib: float
    """Largest peak RSS over the runs."""
    runs: int


def measure(label: str, command: list[str], repeats: int, env: dict | None = None) -> Figure:
    times, peaks = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, str(CHILD), *command], capture_output=True,
                             text=True, env=env, check=True)
        result = json.loads(out.stdout)
        if result["returncode"] != 0:
            raise BenchmarkError(f"{label}: {' '.join(command)} exited "
                                 f"{result['returncode']}: {result['stderr']}")
        times.append(result["seconds"])
        peaks.append(result["peak_mib"])
    return Figure(label, statistics.median(times), max(peaks), repeats)
