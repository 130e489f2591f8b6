"""How long `coverage` takes for 5,000 nodes against 20 node classes (goal: under a second).

Two figures: the check itself, in this process (the controller's rules for
every node and DaemonSet: 100,000 decisions), and the whole command on a
rendered folder, a fresh process that reads the 5,000-node inventory through
the bounded YAML reader. The stack is rendered once beforehand; rendering is
the `compare` section's subject.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .runner import ROOT, BenchmarkError, Command, measure
from .stacks import POOL_KEY, write_node_class_stack

NODES, CLASSES, GOAL_S = 5000, 20, 1.0


def inventory(nodes: int, classes: int) -> list[dict]:
    """Every node in one pool, as in production: each covered exactly once."""
    return [{"name": f"node-{n:05}",
             "labels": {"kubernetes.io/os": "linux", POOL_KEY: f"pool{n % classes:04}"},
             "taints": [{"key": "dedicated", "value": "logs", "effect": "PreferNoSchedule"}]
             if n % 7 == 0 else []}
            for n in range(nodes)]


def coverage_section(scratch: Path, repeats: int) -> str:
    stack = write_node_class_stack(CLASSES, scratch)
    folder = scratch / f"classes-{CLASSES}"
    rendered = subprocess.run([sys.executable, "-m", "components", "render", "--config",
                               str(stack), "--out", str(folder)], cwd=ROOT,
                              capture_output=True, text=True)
    if rendered.returncode != 0:
        raise BenchmarkError(f"rendering {stack} failed: {rendered.stderr}")
    # As `kubectl get nodes -o json` prints them; a YAML plan of the same
    # nodes is timed too, through the bounded YAML reader.
    nodes_file = scratch / f"nodes-{NODES}.json"
    nodes_file.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Node", "metadata": {"name": n["name"], "labels": n["labels"]},
         "spec": {"taints": n["taints"]}} for n in inventory(NODES, CLASSES)]}))
    plan_file = scratch / f"nodes-{NODES}.yaml"
    plan_file.write_text(yaml.safe_dump(inventory(NODES, CLASSES), sort_keys=False))

    in_process = _in_process(folder, nodes_file, repeats)
    command, plan = (Command(f"coverage --dir, {NODES} nodes, {path.suffix}",
                             [sys.executable, "-m", "components", "coverage", "--dir",
                              str(folder), "--nodes", str(path), "--format", "json"])
                     for path in (nodes_file, plan_file))
    figures = measure([command, plan], repeats, _check_all_covered)
    whole, planned = figures[command.label], figures[plan.label]
    verdict = "met" if whole.median < GOAL_S else "NOT met"
    return "\n".join([
        f"coverage: {NODES} nodes against {CLASSES} node classes ({NODES * CLASSES:,} "
        "node/DaemonSet decisions); medians",
        f"  the check alone, in process: {in_process * 1000:.0f} ms",
        f"  the whole command (--dir, a fresh process) on kubectl's JSON "
        f"({nodes_file.stat().st_size // 1024} KiB): {whole.median * 1000:.0f} ms, "
        f"{whole.peak_mib:.0f} MiB peak",
        f"  the same on a YAML plan of the nodes ({plan_file.stat().st_size // 1024} KiB, "
        f"through the bounded YAML reader): {planned.median * 1000:.0f} ms, "
        f"{planned.peak_mib:.0f} MiB peak",
        f"goal: {NODES} nodes x {CLASSES} classes < {GOAL_S:.0f} s: {whole.median:.2f} s, "
        f"{verdict}",
    ])


def _in_process(folder: Path, nodes_file: Path, repeats: int) -> float:
    from components.coverage.check import coverage
    from components.coverage.inventory import read_inventory
    from components.review.sides import read_folder

    manifests, nodes = read_folder(folder), read_inventory(nodes_file)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = coverage(manifests, nodes)
        times.append(time.perf_counter() - start)
        if not result.ok or result.counts["covered"] != NODES:
            raise BenchmarkError(f"coverage did not cover every node once: {result.counts}")
    return statistics.median(times)


def _check_all_covered(command: Command, stdout: str) -> None:
    found = json.loads(stdout)
    if len(found) != NODES or any(len(n["daemonSets"]) != 1 for n in found):
        raise BenchmarkError(f"{command.label}: not every node covered once")
