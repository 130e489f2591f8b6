"""`python -m benchmarks`: our render against its peers, scaling, a profile, the test suite.

    .venv/bin/python -m benchmarks                       # compare + scaling, 2-3 minutes
    .venv/bin/python -m benchmarks --profile --suite     # and the profile and the suite
    .venv/bin/python -m benchmarks --sections profile    # only the profile
    .venv/bin/python -m benchmarks --sections coverage   # 5,000 nodes x 20 classes
    .venv/bin/python -m benchmarks --sections engine --repeats 3   # the real CLI; a cluster
    .venv/bin/python -m benchmarks --sections pipeline --repeats 3 # filebeat into redis; root
    .venv/bin/python -m benchmarks --sections buffer --repeats 3   # list compression; root
    .venv/bin/python -m benchmarks --repeats 5 --steps 1,10,100
    .venv/bin/python -m benchmarks --sections "" --against main~3   # a change's effect

Every figure is a median over whole-process runs, and every ratio is taken
between commands run interleaved in the same invocation, because a shared
machine's speed drifts from one minute to the next.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import sections
from .buffer import buffer
from .coverage import coverage_section
from .engine import engine
from .peers import REQUIREMENTS
from .pipeline import pipeline

SECTIONS = ("compare", "scaling", "coverage", "profile", "suite", "engine", "pipeline", "buffer")
DEFAULT = ("compare", "scaling")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=9, metavar="N",
                        help="measured runs per command (default 9; 1000 classes get N/3, "
                             "at least 3)")
    parser.add_argument("--sections", metavar="LIST", default=",".join(DEFAULT),
                        help=f"comma-separated, of {', '.join(SECTIONS)} "
                             f"(default {','.join(DEFAULT)})")
    parser.add_argument("--profile", action="store_true", help="add the profile section")
    parser.add_argument("--suite", action="store_true", help="add the test-suite section")
    parser.add_argument("--steps", metavar="LIST", default="1,10,100,1000",
                        help="node-class counts for scaling (default 1,10,100,1000)")
    parser.add_argument("--against", metavar="REV",
                        help="add a section: this tree's render of dev and of the steps "
                             "from 100 up, against git revision REV's")
    args = parser.parse_args()
    chosen = [s for s in args.sections.split(",") if s]
    chosen += ["profile"] * args.profile + ["suite"] * args.suite
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    chosen += ["against"] * bool(args.against)
    steps = [int(n) for n in args.steps.split(",")]

    # Every process started from here keeps Python's bytecode cache, as on a
    # user's machine. With PYTHONDONTWRITEBYTECODE (some CI images set it),
    # components/ alone would be compiled afresh in every timed run, while
    # pip compiled site-packages once at install.
    bytecode = "off, turned on here" if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) else "on"
    print(machine(), f"bytecode cache: {bytecode}", sep="\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="benchmarks-") as scratch:
        runs = {"compare": lambda: sections.compare(Path(scratch), args.repeats),
                "scaling": lambda: sections.scaling(Path(scratch), args.repeats, steps),
                "coverage": lambda: coverage_section(Path(scratch), args.repeats),
                "profile": lambda: sections.profile(Path(scratch), args.repeats),
                "suite": sections.suite,
                "engine": lambda: engine(Path(scratch), args.repeats),
                "pipeline": lambda: pipeline(Path(scratch), args.repeats),
                "buffer": lambda: buffer(Path(scratch), args.repeats),
                "against": lambda: sections.against(Path(scratch), args.repeats,
                                                    args.against, steps)}
        for name in (*SECTIONS, "against"):
            if name in chosen:
                start = time.perf_counter()
                text = runs[name]()
                print(f"\n{text}\n({name}: {time.perf_counter() - start:.0f} s; "
                      f"{uptime()})", flush=True)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor() or "unknown CPU")
    kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    packages = ", ".join(f"{name} {_version(name)}"
                         for name in ("pulumi", "pulumi_kubernetes", "pydantic", "PyYAML"))
    pins = ", ".join(line.replace("==", " ") for line in REQUIREMENTS.read_text().splitlines()
                     if "==" in line and not line.startswith("#"))
    return "\n".join([
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {len(os.sched_getaffinity(0))} cores (nproc), {cpu}, "
        f"{kib / 2**20:.1f} GiB RAM",
        f"software: Python {platform.python_version()}; {packages}; "
        f"kubectl {_tool('kubectl', 'version', '--client')}; node {_tool('node', '--version')}; "
        f"cdk8s peer (benchmarks/requirements.txt): {pins}",
        f"load at start: {uptime()}",
    ])


def uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout if shutil.which(
        "uptime") else ""
    return "load average " + (out.split("load average:")[-1].strip() if "load average" in out
                              else ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "missing"


def _tool(name: str, *args: str) -> str:
    if not shutil.which(name):
        return "missing"
    out = subprocess.run([name, *args], capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else "?"
    return first.split(":")[-1].strip()


if __name__ == "__main__":
    try:
        main()
    except sections.BenchmarkError as error:
        sys.exit(f"benchmark failed: {error}")
