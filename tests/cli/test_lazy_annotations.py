"""pulumi_kubernetes compiled with its annotations left as strings
(components/cli/lazy_annotations.py): the CLI does it, and nothing it makes
or the SDK reads comes out different."""

import json
import os
import subprocess
import sys

import pytest

from tests.configs import ROOT

# One worker, so the pycs the first test writes are the rest's to read.
pytestmark = pytest.mark.xdist_group("lazy_annotations")

# The real entry point; at exit, where the largest module pulumi_kubernetes
# imports was loaded from. With EAGER set, the finder is turned off.
PROBE = """
import atexit, json, os, runpy, sys
if os.environ.get("EAGER"):
    from components.cli.lazy_annotations import LazyAnnotationsFinder
    LazyAnnotationsFinder.handles = lambda self, name: False
def probe():
    print(json.dumps(sys.modules["pulumi_kubernetes.core.v1._inputs"].__spec__.cached),
          file=sys.stderr)
atexit.register(probe)
sys.argv = ["components", *sys.argv[1:]]
runpy.run_module("components", run_name="__main__")
"""

# Every type the SDK resolves from the annotations of the API groups our
# components build from: each input and output type's properties, and each
# resource's outputs. With LAZY set, imported as the CLI imports them.
TYPES = """
import json, os, sys, contextlib
import pulumi
from pulumi import _types
from components.cli.lazy_annotations import lazy_annotations
with lazy_annotations() if os.environ.get("LAZY") else contextlib.nullcontext():
    import pulumi_kubernetes.apps.v1, pulumi_kubernetes.core.v1, pulumi_kubernetes.meta.v1
    import pulumi_kubernetes.networking.v1, pulumi_kubernetes.rbac.v1
resolved = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("pulumi_kubernetes.") or module is None:
        continue
    for attr, cls in sorted(vars(module).items()):
        if not isinstance(cls, type) or cls.__module__ != name:
            continue
        if _types.is_input_type(cls):
            types = _types.input_type_types(cls)
        elif _types.is_output_type(cls):
            types = _types.output_type_types(cls)
        elif issubclass(cls, pulumi.CustomResource):
            types = _types.resource_types(cls)
        else:
            continue
        resolved[f"{name}.{attr}"] = {k: repr(v) for k, v in sorted(types.items())}
cached = sys.modules["pulumi_kubernetes.core.v1._inputs"].__spec__.cached
print(json.dumps({"cached": cached, "resolved": resolved}))
"""

CORPUS = [["render", "--stack", "dev"], ["render", "--stack", "prod"],
          ["render", "--stack", "demo"],
          ["diff", "--stack", "dev", "--stack", "mixed-nodes", "--format", "json"]]


def _env(prefix=None, write: bool = False, **extra: str) -> dict[str, str]:
    """Python writing bytecode or not, and keeping it under `prefix`; with no
    prefix, Python's own pycs are read where pip wrote them."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if prefix is not None:
        env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env | extra


def _run(code: str, args, env) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """A bytecode cache of the module's own, kept across its tests, so only
    the first run compiles."""
    return tmp_path_factory.mktemp("pycache")


@pytest.mark.parametrize("args", CORPUS, ids=" ".join)
def test_the_cli_writes_then_reads_pulumi_kubernetes_lazily_and_prints_the_same(
        args, prefix):
    plain = _run(PROBE, args, _env(EAGER="1"))
    first = _run(PROBE, args, _env(prefix, write=True))
    # Python writing no bytecode reads the pyc the run before wrote.
    cached = _run(PROBE, args, _env(prefix, write=False))

    origins = [json.loads(run.stderr.splitlines()[-1]) for run in (plain, first, cached)]
    assert not origins[0].endswith(".opt-pep563.pyc"), origins[0]
    assert origins[1] == origins[2]
    assert origins[1].startswith(str(prefix)) and origins[1].endswith(".opt-pep563.pyc")
    assert os.path.isfile(origins[1])
    assert plain.stdout == first.stdout == cached.stdout
    assert plain.returncode == first.returncode == cached.returncode
    assert plain.stdout.strip()


def test_every_type_the_sdk_resolves_is_the_same(prefix):
    eager = json.loads(_run(TYPES, [], _env()).stdout)
    lazy = json.loads(_run(TYPES, [], _env(prefix, write=True, LAZY="1")).stdout)

    assert not eager["cached"].endswith(".opt-pep563.pyc")
    assert lazy["cached"].endswith(".opt-pep563.pyc")
    assert len(eager["resolved"]) > 1000  # 1,213: the five groups and what they import
    assert lazy["resolved"] == eager["resolved"]
