"""`--sections engine`: `pulumi preview` and `pulumi up` of dev through the
real CLI, ours against a bare program making the same objects; then the
rollouts on 20 nodes (rollouts.py).

It needs the toolchain on PATH (`export PATH="$(toolchain/build | tail -1):$PATH"`)
and starts a simulated cluster of its own (`toolchain/cluster up`), stopped
at the end. Each round, for each program in turn (one further along each
round): a fresh stack is previewed, then brought up (`pulumi up --yes
--skip-preview`, the awaits included: kwok makes the pods ready), then
destroyed, untimed. Both programs deploy our dev render, each into a
namespace of its own; the bare one (`bare_program/`) registers the render's
objects as plain pulumi_kubernetes resources. So the difference is what our
program costs the engine: the config checks, the components and the Python
that builds the objects.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from components.render.renderer import render_stack_file
from tests.e2e.cluster import SIMULATED_TOOLS, e2e_stack_text
from tests.e2e.stack import ThrowawayStack, project_copy

from .rollouts import rollouts
from .runner import ROOT, BenchmarkError
from .table import table

BARE = Path(__file__).with_name("bare_program")
CLUSTER = ROOT / "toolchain" / "cluster"
CONTEXT = "local"
"""The kube context toolchain/cluster's kubeconfig names."""
STEPS = (("preview", ("preview",)), ("up", ("up", "--yes", "--skip-preview")))


def engine(scratch: Path, repeats: int) -> str:
    missing = [t for t in ("pulumi", "kubectl", *SIMULATED_TOOLS) if not shutil.which(t)]
    if missing:
        raise BenchmarkError(f"the engine section needs {', '.join(missing)} on PATH: "
                             'export PATH="$(toolchain/build | tail -1):$PATH"')
    state = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    env = {**os.environ, "REDIS_FILEBEAT_CLUSTER_DIR": str(state)}
    up = subprocess.run([str(CLUSTER), "up", "--nodes", "3"], capture_output=True, text=True,
                        env=env, timeout=300)
    if up.returncode != 0:
        raise BenchmarkError(f"toolchain/cluster up failed: {up.stderr.strip()[-500:]}")
    before = os.environ.get("KUBECONFIG")
    os.environ["KUBECONFIG"] = up.stdout.strip().splitlines()[-1]
    try:
        return _measure(scratch, repeats) + "\n\n" + rollouts(scratch, repeats, CONTEXT)
    finally:
        if before is None:
            os.environ.pop("KUBECONFIG")
        else:
            os.environ["KUBECONFIG"] = before
        subprocess.run([str(CLUSTER), "down"], capture_output=True, env=env, timeout=120)


def _measure(scratch: Path, repeats: int) -> str:
    seconds: dict[tuple[str, str], list[float]] = {}
    programs = ("ours", "bare")
    objects = len(_render("count", CONTEXT, scratch))
    for round_number in range(repeats):
        shift = round_number % len(programs)
        for program in programs[shift:] + programs[:shift]:
            stack = _new_stack(program, scratch / f"{program}-{round_number}")
            try:
                for step, args in STEPS:
                    start = time.perf_counter()
                    done = stack.cli(*args, timeout=900)
                    elapsed = time.perf_counter() - start
                    if done.returncode != 0:
                        raise BenchmarkError(f"{program}: pulumi {' '.join(args)} failed: "
                                             f"{(done.stdout + done.stderr)[-800:]}")
                    seconds.setdefault((program, step), []).append(elapsed)
                _check_deployed(stack, program, objects)
            finally:
                stack.tear_down(on_output=lambda line: None)
    rows = []
    for step, _ in STEPS:
        ours = statistics.median(seconds[("ours", step)])
        for program in programs:
            runs = seconds[(program, step)]
            rows.append([f"pulumi {step}", program, f"{statistics.median(runs):.1f}",
                         f"{min(runs):.1f}–{max(runs):.1f}",
                         f"{statistics.median(runs) / ours:.2f}"])
    cli = subprocess.run(["pulumi", "version"], capture_output=True, text=True).stdout.strip()
    return "\n".join([
        f"engine: pulumi preview and up of dev ({objects} objects) on a simulated cluster, "
        f"median of {repeats} fresh stacks each, interleaved; pulumi CLI {cli}, "
        f"kubernetes provider {_provider_version()}",
        table(["step", "program", "median s", "min–max s", "× ours"], rows),
        "up is `pulumi up --yes --skip-preview`, so it is the deployment alone, awaits "
        "included; `pulumi up` as operators run it costs both rows."])


def _new_stack(program: str, state: Path) -> ThrowawayStack:
    """A throwaway stack of ours, or of the bare project fed our render of it."""
    state.mkdir(parents=True)
    if program == "ours":
        return ThrowawayStack(state, CONTEXT).create()
    project = project_copy(BARE, state / "project")
    stack = ThrowawayStack(state, CONTEXT, root=project)
    (state / "objects.json").write_text(json.dumps(_render(stack.namespace, CONTEXT, state)))
    return stack.create(f"config:\n  bare:objects: {state / 'objects.json'}\n", render=False)


def _render(namespace: str, context: str, folder: Path) -> list[dict]:
    """Our offline render of the dev copy the suite deploys, in that namespace."""
    stack_file = folder / f"Pulumi.{namespace}.yaml"
    stack_file.write_text(e2e_stack_text(namespace, context))
    return render_stack_file(stack_file).manifests.documents()


def _check_deployed(stack: ThrowawayStack, program: str, objects: int) -> None:
    """Both programs must have made every object, or the race is not fair."""
    export = stack.cli("stack", "export")
    if export.returncode != 0:
        raise BenchmarkError(f"{program}: pulumi stack export failed: {export.stderr}")
    resources = json.loads(export.stdout)["deployment"].get("resources", [])
    made = [r for r in resources if r["type"].startswith("kubernetes:")]
    if len(made) != objects:
        raise BenchmarkError(f"{program}: the stack holds {len(made)} Kubernetes objects, "
                             f"not the render's {objects}")


def _provider_version() -> str:
    """The release toolchain/versions names, which toolchain/build stamps into it."""
    for line in (ROOT / "toolchain" / "versions").read_text().splitlines():
        if line.startswith("KUBERNETES_PROVIDER_VERSION="):
            return line.partition("=")[2]
    return "unknown"
