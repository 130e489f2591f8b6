"""The four sections of `python -m benchmarks`, each returning the text it prints."""

import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import peers
from .runner import ROOT, BenchmarkError, Command, Figure, measure
from .stacks import write_node_class_stack
from .table import table

DEV = ROOT / "stacks" / "Pulumi.dev.yaml"
RENDER = [sys.executable, "-m", "components", "render"]
OVERHEAD_GOAL, CLASSES_GOAL_S, SUITE_GOAL_S = 0.20, 2.0, 30.0


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def compare(scratch: Path, repeats: int) -> str:
    stream = subprocess.run([*RENDER, "--stack", "dev"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    documents = scratch / "dev.yaml"
    documents.write_text(stream, encoding="utf-8")
    subprocess.run([*RENDER, "--stack", "dev", "--out", str(scratch / "dev")], cwd=ROOT,
                   capture_output=True, check=True)
    outdir = scratch / "cdk8s"
    candidates = [peers.ours(), peers.import_floor(), peers.import_floor_as_ours(),
                  peers.kustomize(scratch / "dev"), peers.cdk8s(documents, outdir)]
    runnable = [p for p in candidates if p.command]
    checked = []

    def check(command: Command, stdout: str) -> None:
        """kustomize and cdk8s must emit exactly our objects, or the race is not fair."""
        if "kustomize" in command.label or "cdk8s" in command.label:
            out = peers.cdk8s_output(outdir) if "cdk8s" in command.label else stdout
            differ = peers.same_objects(stream, out)
            if differ:
                raise BenchmarkError(f"{command.label} does not emit our objects: {differ}")
            checked.append(command.label.split(" (")[0])

    figures = measure([p.as_command() for p in runnable], repeats, check)
    mine, floor, as_ours = (figures[c.label] for c in candidates[:3])
    rows = [[f.label, f"{f.median * 1000:.0f}",
             f"{min(f.seconds) * 1000:.0f}–{max(f.seconds) * 1000:.0f}",
             f"{f.median / mine.median:.2f}", f"{f.peak_mib:.0f}",
             f"{f.tree_peak_mib:.0f}" if f.tree_peak_mib else "—"]
            for f in figures.values()]
    overhead = (mine.median - floor.median) / floor.median
    own = (mine.median - as_ours.median) / floor.median
    objects = len(peers.objects(stream))
    return "\n".join([
        f"compare: the dev stack ({objects} objects), median of {repeats} whole-process runs "
        "each, interleaved",
        table(["command", "median ms", "min–max ms", "× ours", "peak MiB", "all processes MiB"],
              rows),
        *(f"{p.label}: skipped: {p.skipped}" for p in candidates if not p.command),
        (f"checked: {', '.join(checked)} emitted exactly our {objects} objects, field for field"
         if checked else "checked: no output peer ran"),
        "peak MiB: the largest single process (RUSAGE_CHILDREN), median over the runs; all "
        "processes: the whole process tree, sampled every 5 ms in the warm-up run",
        f"render overhead = (ours − floor) / floor = ({mine.median * 1000:.0f} − "
        f"{floor.median * 1000:.0f}) / {floor.median * 1000:.0f} ms = {overhead:.0%} "
        f"(goal < {OVERHEAD_GOAL:.0%}: {met(overhead < OVERHEAD_GOAL)})",
        f"like for like, the floor imported as ours: (ours − floor as ours) / floor = "
        f"({mine.median * 1000:.0f} − {as_ours.median * 1000:.0f}) / "
        f"{floor.median * 1000:.0f} ms = {own:.0%}: the work components/ adds "
        f"({met(own < OVERHEAD_GOAL)} against the same goal)",
    ])


def scaling(scratch: Path, repeats: int, steps: list[int]) -> str:
    rows: list[list[str]] = []
    medians: dict[int, float] = {}
    before: tuple[int, Figure, Figure] | None = None  # the previous step: N, ours, bare
    for count in steps:
        runs = _runs(count, repeats)
        stack = write_node_class_stack(count, scratch)
        mine = Command(f"ours {count}", [*RENDER, "--config", str(stack)])
        bare = Command(f"bare {count}", [sys.executable, str(Path(__file__).with_name(
            "bare_mocks.py")), str(count)])
        figures = measure([mine, bare], runs, _check_daemon_sets)
        ours, peer = figures[mine.label], figures[bare.label]
        rows.append([str(count), str(runs), f"{ours.median * 1000:.0f}", f"{ours.peak_mib:.0f}",
                     f"{ours.median * 1000 / count:.1f}",
                     _per_added(ours, count, before[1], before[0]) if before else "—",
                     f"{peer.median * 1000:.0f}", f"{peer.peak_mib:.0f}",
                     _per_added(peer, count, before[2], before[0]) if before else "—",
                     f"{ours.median / peer.median:.2f}"])
        before, medians[count] = (count, ours, peer), ours.median
    goal = f"goal: 100 classes < {CLASSES_GOAL_S:.0f} s: " + (
        f"{medians[100]:.2f} s, {met(medians[100] < CLASSES_GOAL_S)}" if 100 in medians
        else "not measured (100 is not among the steps)")
    return "\n".join([
        "scaling: N filebeat node classes (N DaemonSets) rendered with render --config, and "
        "bare: N plain DaemonSets under Pulumi's mocks, nothing of ours; medians, interleaved",
        table(["N", "runs", "ours ms", "ours MiB", "ms/DaemonSet", "+ms per added DS",
               "bare ms", "bare MiB", "bare +ms per added DS", "ours/bare"], rows),
        "+ms per added DS: (median at N − median at the previous N) / (N − previous N)",
        goal,
    ])


def _check_daemon_sets(command: Command, stdout: str) -> None:
    """Each scaling command must have made N DaemonSets (N ends its label)."""
    wanted = int(command.label.split()[-1])
    made = (stdout.count("\nkind: DaemonSet\n") if command.label.startswith("ours")
            else int(stdout.split()[0]))  # bare_mocks.py prints "N DaemonSets"
    if made != wanted:
        raise BenchmarkError(f"{command.label}: {made} DaemonSets, not {wanted}")


def _runs(classes: int, repeats: int) -> int:
    """Stacks above 100 node classes take seconds a run: a third of the runs."""
    return repeats if classes <= 100 else max(3, repeats // 3)


def _per_added(figure: Figure, count: int, base: Figure, base_count: int) -> str:
    """Milliseconds each DaemonSet beyond the previous step's adds."""
    return f"{(figure.median - base.median) * 1000 / (count - base_count):.1f}"


# Our CLI without what components/__main__.py does to the collector (pause it for the
# imports, then freeze the heap): what that saves.
WITHOUT_FREEZE = ("import sys; from components.cli import main; "
                  "sys.exit(main(['render', '--stack', 'dev']))")


def profile(scratch: Path, repeats: int) -> str:
    hundred = write_node_class_stack(100, scratch)
    blocks = []
    for kind, path in (("first", DEV), ("warm", DEV), ("warm", hundred), ("secret", DEV)):
        done = subprocess.run([sys.executable, "-m", "benchmarks.profiling", kind, str(path)],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchmarkError(f"profile {kind} {path.name}: {done.stderr}")
        blocks.append(done.stdout.rstrip())
    blocks.append(_breakdown(repeats))
    blocks.append(_what_if(repeats))
    return "\n\n".join(["profile (cProfile; every figure under the profiler is inflated by it, "
                        "compare shares, not absolute times)", *blocks])


def _breakdown(repeats: int) -> str:
    """Where ours − floor goes, unprofiled: fresh processes that import the floor,
    then time importing components/ and two renders of dev."""
    parts: dict[str, list[float]] = {"import": [], "first": [], "second": []}
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-m", "benchmarks.profiling", "timed", str(DEV)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        for name, seconds in json.loads(done.stdout).items():
            parts[name].append(seconds)
    ms = {name: statistics.median(values) * 1000 for name, values in parts.items()}
    return (f"ours − floor, unprofiled (medians of {repeats} fresh processes that import the "
            f"floor first): importing components/ (with pydantic and our models) "
            f"{ms['import']:.0f} ms, the first render of dev {ms['first']:.0f} ms; a second "
            f"render in the same process takes {ms['second']:.0f} ms")


def _what_if(repeats: int) -> str:
    expected = subprocess.run([*RENDER, "--stack", "dev"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout
    ours = Command("ours: render --stack dev", [*RENDER, "--stack", "dev"])
    unfrozen = Command("ours, imported as a library caller", [sys.executable, "-c", WITHOUT_FREEZE])
    floor = peers.import_floor().as_command()

    def check(command: Command, stdout: str) -> None:
        if command is unfrozen and stdout != expected:
            raise BenchmarkError("the unfrozen render printed something else than ours")

    figures = measure([ours, unfrozen, floor], repeats, check)
    mine, slow, base = (figures[c.label] for c in (ours, unfrozen, floor))
    rows = [[f.label, f"{f.median * 1000:.0f}", f"{f.median / mine.median:.2f}",
             f"{(f.median - base.median) / base.median:.0%}"] for f in (mine, slow, base)]
    return "\n".join([
        f"what if: the CLI imported as a library caller does (cli.inputs.freeze_heap off): "
        f"the collector neither paused for the imports nor the heap frozen, nothing "
        f"deferred, pulumi_kubernetes' annotations evaluated (same output, checked); median of "
        f"{repeats} whole-process runs each, interleaved",
        table(["command", "median ms", "× ours", "over the floor"], rows),
    ])


def against(scratch: Path, repeats: int, revision: str, steps: list[int]) -> str:
    """This tree's render against a git revision's, interleaved: what a change bought.

    The revision's files come from `git archive`; both render the same stack
    files (this tree's), each with its own components/.
    """
    tree = scratch / "against"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        raise BenchmarkError(f"git archive {revision}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    cases = [("dev", ["--stack", "dev"], 0)] + [
        (f"{count} classes", ["--config", str(write_node_class_stack(count, scratch))], count)
        for count in steps if count >= 100]
    rows = []
    for label, args, classes in cases:
        runs = _runs(classes, repeats)
        now = Command(f"this tree: {label}", [*RENDER, *args])
        then = Command(f"{revision}: {label}", [sys.executable, "-c", (
            f"import runpy, sys; sys.path[0] = {str(tree)!r}; "
            f"sys.argv = ['components', 'render', *{args!r}]; "
            "runpy.run_module('components', run_name='__main__', alter_sys=True)")])
        figures = measure([now, then], runs)
        mine, theirs = figures[now.label], figures[then.label]
        rows.append([label, str(runs), f"{theirs.median * 1000:.0f}", f"{theirs.peak_mib:.0f}",
                     f"{mine.median * 1000:.0f}", f"{mine.peak_mib:.0f}",
                     f"{mine.median / theirs.median:.2f}"])
    return "\n".join([
        f"against {revision}: the same stack files rendered by this tree and by {revision}, "
        "medians, interleaved",
        table(["stack", "runs", f"{revision} ms", "MiB", "this tree ms", "MiB",
               "this/then"], rows),
    ])


def suite() -> str:
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-m", "pytest", "-q",
               "--durations=10", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = done.stdout.splitlines()
    slowest = [line for line in lines if re.match(r"^\d+\.\d+s (call|setup|teardown) ", line)]
    summary = next((line.strip("= ") for line in reversed(lines)
                    if re.search(r"\d+ (passed|failed|error)", line)), "no summary line")
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return "\n".join([
        f"suite: {' '.join(command).replace(str(ROOT) + '/', '')}",
        f"{wall:.1f} s wall, exit {done.returncode}: {summary}",
        *failures,
        f"goal: unit suite < {SUITE_GOAL_S:.0f} s: {met(wall < SUITE_GOAL_S)}",
        "slowest ten:", *(f"  {line}" for line in slowest[:10]),
    ])
