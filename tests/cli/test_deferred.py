"""What the CLI defers (components/cli/deferred.py): a render leaves each deferred
module unread, a read loads it whole, and no one but the CLI defers."""

import json
import os
import subprocess
import sys
import types

import pytest

from components.cli.deferred import DEFERRED, deferring
from tests.configs import ROOT

# The real entry point; at exit, how each deferred module stands: never
# imported, imported but not yet run (importlib.util's lazy module), or run.
PROBE = """
import atexit, json, runpy, sys
from components.cli.deferred import DEFERRED
def probe():
    state = {name: type(sys.modules[name]).__name__ if name in sys.modules else "absent"
             for name in sorted(DEFERRED)}
    print(json.dumps(state), file=sys.stderr)
atexit.register(probe)
sys.argv = ["components", *sys.argv[1:]]
runpy.run_module("components", run_name="__main__")
"""
# Either would have the SDK read a deferred module, as it should: tracing reads
# the trace context, and protobuf's pure-Python backend is python_message.
READERS = ("TRACEPARENT", "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION")


@pytest.mark.parametrize("args", [["render", "--stack", "dev"],
                                  ["render", "--stack", "prod"],
                                  ["diff", "--stack", "dev", "--stack", "mixed-nodes"]])
def test_a_render_leaves_every_deferred_module_unread(args):
    env = {k: v for k, v in os.environ.items() if k not in READERS}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    state = json.loads(done.stderr.splitlines()[-1])
    assert set(state.values()) <= {"_LazyModule", "absent"}, state
    assert "_LazyModule" in state.values()


def test_the_sdk_still_reads_the_trace_context_when_asked():
    env = {k: v for k, v in os.environ.items() if k not in READERS}
    runs = [subprocess.run([sys.executable, "-c", PROBE, "render", "--stack", "dev"], cwd=ROOT,
                           env=env | extra, capture_output=True, text=True, timeout=120)
            for extra in ({}, {"TRACEPARENT": "00-4bf92f3577b34da6a3ce929d0e0e4736-"
                                              "00f067aa0ba902b7-01"})]
    assert runs[0].stdout == runs[1].stdout != ""
    assert json.loads(runs[1].stderr.splitlines()[-1])["opentelemetry.propagate"] == "module"


def test_a_deferred_module_runs_whole_on_first_read():
    probe = """
import sys
from components.cli.deferred import deferring
with deferring():
    import pulumi
automation = sys.modules["pulumi.automation"]
print(type(automation).__name__, end=" ")
print(automation.LocalWorkspace.__name__, type(automation).__name__,
      "pulumi.automation._local_workspace" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["_LazyModule", "LocalWorkspace", "module", "True"]


def test_a_finder_that_asks_every_finder_does_not_loop_with_ours():
    probe = """
import sys
from components.cli.deferred import deferring
class AsksEveryone:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        for finder in sys.meta_path:
            if finder is not cls and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    return spec
with deferring():
    sys.meta_path.insert(1, AsksEveryone)
    import pulumi
print(type(sys.modules["pulumi.automation"]).__name__)
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["_LazyModule"]


def test_deferring_ends_with_its_block():
    meta_path = list(sys.meta_path)
    with deferring():
        assert len(sys.meta_path) == len(meta_path) + 1
    assert sys.meta_path == meta_path


def test_a_library_caller_defers_nothing():
    import components.render.renderer  # noqa: F401 imports Pulumi as a library caller does

    for name in DEFERRED & sys.modules.keys():
        assert type(sys.modules[name]) is types.ModuleType, name
