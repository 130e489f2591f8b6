"""The commands compared with our render, each a whole process.

kubectl kustomize reads our dev render written as a folder; cdk8s
synthesizes the same documents as plain ApiObjects; the import floor is a
process that only imports what the program imports from Pulumi. A peer whose
tool is missing is skipped, with the reason.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import yaml

from .runner import ROOT, Command

HERE = Path(__file__).resolve().parent
BENCH_VENV = HERE / ".venv"
REQUIREMENTS = HERE / "requirements.txt"
# jsii prints a banner on stderr for node versions it has not tested or no longer supports.
QUIET_NODE = {f"JSII_SILENCE_WARNING_{w}_NODE_VERSION": "1"
              for w in ("DEPRECATED", "UNTESTED", "END_OF_LIFE")}


@dataclass(frozen=True)
class Peer:
    label: str
    command: list[str] | None
    """None when the peer cannot run here; `skipped` says why."""
    skipped: str = ""
    env: dict[str, str] | None = None

    def as_command(self) -> Command:
        assert self.command is not None
        return Command(self.label, self.command, self.env)


def ours(stack: str = "dev") -> Peer:
    return Peer(f"ours: render --stack {stack}",
                [sys.executable, "-m", "components", "render", "--stack", stack])


def floor_modules() -> list[str]:
    """`pulumi` and every `pulumi_kubernetes` module that components/ imports."""
    modules = {"pulumi"}
    for source in sorted((ROOT / "components").rglob("*.py")):
        modules |= set(re.findall(r"^\s*(?:from|import)\s+(pulumi_kubernetes[\w.]*)",
                                  source.read_text(encoding="utf-8"), re.MULTILINE))
    return sorted(modules)


def import_floor() -> Peer:
    return Peer("import floor: pulumi + pulumi_kubernetes modules",
                [sys.executable, "-c", "import " + ", ".join(floor_modules())])


def import_floor_as_ours() -> Peer:
    """The floor imported as our CLI imports it (cli.inputs.imports_kept_to_exit):
    the collector paused, what a render never runs deferred, pulumi_kubernetes'
    annotations left as strings, and the heap frozen for the exit. Against this,
    ours − floor is the work our code adds, and nothing of what those save."""
    code = ("from components.cli import inputs\n"
            "inputs.freeze_heap = True\n"
            "with inputs.imports_kept_to_exit():\n"
            "    import " + ", ".join(floor_modules()))
    return Peer("import floor, imported as ours", [sys.executable, "-c", code])


def kustomize(folder: Path) -> Peer:
    label = "kubectl kustomize (same objects, YAML)"
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return Peer(label, None, "kubectl is not installed")
    return Peer(label, [kubectl, "kustomize", str(folder)])


def cdk8s(documents: Path, outdir: Path) -> Peer:
    label = "cdk8s synth (same objects, ApiObjects)"
    if not shutil.which("node"):
        return Peer(label, None, "node is not installed (cdk8s runs its core on node, via jsii)")
    try:
        python = bench_python()
    except (OSError, subprocess.CalledProcessError) as error:
        return Peer(label, None, f"could not set up benchmarks/.venv: {error}")
    return Peer(label, [str(python), str(HERE / "cdk8s_synth.py"), str(documents), str(outdir)],
                env=os.environ | QUIET_NODE)


def bench_python() -> Path:
    """benchmarks/.venv's Python, with benchmarks/requirements.txt installed.

    Created on first use, and reinstalled when the requirements change (a
    marker file holds the hash of the requirements it was installed from).
    """
    python = BENCH_VENV / "bin" / "python"
    marker = BENCH_VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and marker.exists() and marker.read_text().strip() == wanted:
        return python
    print(f"installing {REQUIREMENTS} into {BENCH_VENV} (once; needs PyPI)...",
          file=sys.stderr, flush=True)
    if not python.exists():
        venv.create(BENCH_VENV, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
                   check=True)
    marker.write_text(wanted + "\n")
    return python


def cdk8s_output(outdir: Path) -> str:
    """What `app.synth()` wrote: one `<chart>.k8s.yaml`."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted(outdir.glob("*.k8s.yaml")))


def objects(stream: str) -> dict[str, dict]:
    """The documents of a YAML stream, by kind/namespace/name."""
    documents = [d for d in yaml.safe_load_all(stream) if d]
    return {f"{d['kind']}/{d['metadata'].get('namespace', '')}/{d['metadata']['name']}": d
            for d in documents}


def same_objects(ours_stream: str, theirs_stream: str) -> str:
    """'' when both streams hold the same objects, field for field; else what differs."""
    mine, theirs = objects(ours_stream), objects(theirs_stream)
    if not mine:
        return "our render is empty"
    differ = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
    return ", ".join(differ)
