"""The commands compared with our render, each a whole process.

kubectl kustomize reads our dev render written as a folder; cdk8s
synthesizes the same documents as plain ApiObjects; the import floor is a
process that only imports what the program imports from Pulumi. A peer whose
tool is missing is skipped, with the reason.
"""

import os
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH_VENV = HERE / ".venv"
QUIET_NODE = {f"JSII_SILENCE_WARNING_{w}_NODE_VERSION": "1"
              for w in ("DEPRECATED", "UNTESTED", "END_OF_LIFE")}


@dataclass(frozen=True)
class Peer:
    label: str
    command: list[str] | None
    """None when the peer cannot run here; `skipped` says why."""
    skipped: str = ""
    env: dict | None = None


def ours(stack: str = "dev") -> Peer:
    return Peer(f"ours: render --stack {stack}",
                [sys.executable, "-m", "components", "render", "--stack", stack])


def import_floor() -> Peer:
    """`import pulumi` and every pulumi_kubernetes module components/ imports."""
    modules = {"pulumi"}
    for source in (ROOT / "components").glob("*.py"):
        modules |= set(re.findall(r"^(?:from|import) (pulumi_kubernetes[\w.]*)",
                                  source.read_text(encoding="utf-8"), re.MULTILINE))
    return Peer("import floor: pulumi + pulumi_kubernetes modules",
                [sys.executable, "-c", "import " + ", ".join(sorted(modules))])


def kustomize(folder: Path) -> Peer:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return Peer("kubectl kustomize (same objects as YAML)", None, "kubectl is not installed")
    return Peer("kubectl kustomize (same objects as YAML)", [kubectl, "kustomize", str(folder)])


def cdk8s(documents: Path, outdir: Path) -> Peer:
    label = "cdk8s synth (same objects as ApiObjects)"
    if not shutil.which("node"):
        return Peer(label, None, "node is not installed (cdk8s runs on jsii)")
    python = bench_python()
    return Peer(label, [str(python), str(HERE / "cdk8s_synth.py"), str(documents), str(outdir)],
                env=os.environ | QUIET_NODE)


def bench_python() -> Path:
    """benchmarks/.venv, created with cdk8s on first use."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print("setting up benchmarks/.venv for cdk8s (once)...", file=sys.stderr)
        venv.create(BENCH_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r",
                        str(HERE / "requirements.txt")], check=True)
    return python
