"""`python -m benchmarks`: our render against its peers, scaling, profile, test suite.

    .venv/bin/python -m benchmarks                   # compare + scaling (a few minutes)
    .venv/bin/python -m benchmarks --repeats 11 --sections compare,scaling,profile,suite

Every figure is a median over whole-process runs, and every comparison is
taken in the same run, because this machine's speed drifts between runs.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .measure import Figure, measure
from .peers import ROOT, cdk8s, import_floor, kustomize, ours
from .profile import profile_render
from .stacks import write_node_class_stack
from .table import table

SECTIONS = ("compare", "scaling", "profile", "suite")
SCALING_STEPS = (1, 10, 100, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--sections", default="compare,scaling",
                        help=f"comma-separated, of {', '.join(SECTIONS)} (default compare,scaling)")
    parser.add_argument("--steps", default=",".join(map(str, SCALING_STEPS)),
                        help="node-class counts for scaling (default 1,10,100,1000)")
    args = parser.parse_args()
    sections = args.sections.split(",")
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        folder = Path(scratch)
        if "compare" in sections:
            print(compare(folder, args.repeats))
        if "scaling" in sections:
            print(scaling(folder, args.repeats, [int(n) for n in args.steps.split(",")]))
        if "profile" in sections:
            for path in (ROOT / "stacks" / "Pulumi.dev.yaml",
                         write_node_class_stack(100, folder)):
                print("\n" + profile_render(path))
    if "suite" in sections:
        print(suite())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    versions = subprocess.run([sys.executable, "-m", "pip", "list", "--format=freeze"],
                              capture_output=True, text=True).stdout
    pinned = [line for line in versions.splitlines()
              if re.match(r"(pulumi|pulumi-kubernetes|pydantic)==", line)]
    return (f"machine: {os.cpu_count()} cores, {cpu}, {int(memory) / 2**20:.1f} GiB; "
            f"Python {platform.python_version()}; {', '.join(pinned)}; "
            f"load average {os.getloadavg()[0]:.2f} at start; "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def compare(folder: Path, repeats: int) -> str:
    rendered = subprocess.run([sys.executable, "-m", "components", "render", "--stack", "dev"],
                              capture_output=True, text=True, check=True).stdout
    documents = folder / "dev.yaml"
    documents.write_text(rendered, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "components", "render", "--stack", "dev", "--out",
                    str(folder / "dev")], capture_output=True, check=True)
    peers = [ours(), import_floor(), kustomize(folder / "dev"),
             cdk8s(documents, folder / "cdk8s")]
    figures: dict[str, Figure] = {}
    skipped = []
    for peer in peers:
        if peer.command is None:
            skipped.append(f"{peer.label}: skipped, {peer.skipped}")
            continue
        figures[peer.label] = measure(peer.label, peer.command, repeats, peer.env)
    same = [_same_objects(rendered, peer) for peer in peers[2:] if peer.command]
    mine = figures[peers[0].label]
    rows = [[f.label, f"{f.seconds * 1000:.0f}", f"{f.seconds / mine.seconds:.2f}",
             f"{f.peak_mib:.0f}"] for f in figures.values()]
    floor = figures[peers[1].label]
    overhead = (mine.seconds - floor.seconds) / floor.seconds
    return "\n".join([
        f"\ncompare: the dev stack ({rendered.splitlines().count('---')} objects), median of "
        f"{repeats} "
        "whole-process runs",
        table(["command", "median ms", "× ours", "peak MiB"], rows),
        *skipped,
        *same,
        f"render overhead over the import floor: {(mine.seconds - floor.seconds) * 1000:.0f} ms "
        f"= {overhead:.0%} of the floor (goal: under 20%)",
    ])


def _same_objects(rendered: str, peer) -> str:
    """Check that a peer produced the very objects we render, so the race is fair."""
    import yaml

    out = subprocess.run(peer.command, capture_output=True, text=True, env=peer.env).stdout
    if "cdk8s" in peer.label:
        out = next(Path(peer.command[-1]).glob("*.k8s.yaml")).read_text(encoding="utf-8")

    def key(document: dict) -> str:
        return f"{document['kind']}/{document['metadata']['name']}"

    ours_docs = sorted((d for d in yaml.safe_load_all(rendered) if d), key=key)
    theirs = sorted((d for d in yaml.safe_load_all(out) if d), key=key)
    return f"{peer.label}: same objects as ours: {'yes' if ours_docs == theirs else 'NO'}"


def scaling(folder: Path, repeats: int, steps: list[int]) -> str:
    rows = []
    for count in steps:
        runs = max(1, repeats if count <= 100 else repeats // 3)
        stack = write_node_class_stack(count, folder)
        mine = measure(f"{count} classes", [sys.executable, "-m", "components", "render",
                                            "--config", str(stack)], runs)
        bare = measure(f"{count} bare", [sys.executable, str(Path(__file__).with_name(
            "bare_mocks.py")), str(count)], runs)
        rows.append([str(count), f"{mine.seconds * 1000:.0f}", f"{mine.peak_mib:.0f}",
                     f"{mine.seconds * 1000 / count:.1f}", f"{bare.seconds * 1000:.0f}",
                     f"{bare.peak_mib:.0f}", f"{mine.seconds / bare.seconds:.2f}", str(runs)])
    return "\n".join([
        "\nscaling: N filebeat node classes (N DaemonSets, plus redis), render --config; "
        "bare = N DaemonSets under Pulumi's mocks with nothing of ours",
        table(["N", "ours ms", "ours MiB", "ms per class", "bare ms", "bare MiB", "ours/bare",
               "runs"], rows),
        "goal: 100 classes under 2000 ms",
    ])


def suite() -> str:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--durations=10"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = result.stdout.splitlines()
    slowest = [line for line in lines if re.match(r"^\d+\.\d+s (call|setup|teardown)", line)]
    summary = next((line for line in reversed(lines) if " passed" in line), "no summary")
    return "\n".join([f"\nunit suite: {wall:.1f} s wall (goal: under 30 s); {summary.strip('= ')}",
                      "slowest ten:", *(f"  {line}" for line in slowest[:10])])


if __name__ == "__main__":
    main()
