"""What the real entry point imports, and how: with the garbage collector paused
while Pulumi, pydantic and the models load, their namespaces frozen out of its
generations, and the coverage command's modules only for coverage. Each is
probed in a new interpreter, so that nothing this one imported counts.
"""

import json

import pytest

from tests.configs import ROOT

# The real entry point, probed: how many collector passes ran while Pulumi,
# pydantic and the models were being imported, and at exit, whether each
# module's namespace is left out of the collector's generations (frozen), so
# neither the pass after a mocks run nor those at exit walk it.
HEAP_PROBE = """
import atexit, gc, json, runpy, sys
MODULES = ["pulumi.runtime.rpc", "pulumi_kubernetes.core.v1._inputs", "pydantic.main",
           "components.config.stack.model", "components.workloads.program"]
passes = []
def importing():
    renderer = sys.modules.get("components.render.renderer")
    return "pulumi" in sys.modules and not hasattr(renderer, "raw_config")  # its last def
def count(phase, info):
    if phase == "start" and importing():
        passes.append(info["generation"])
gc.callbacks.append(count)
def probe():
    tracked = {id(o) for o in gc.get_objects()}
    print(json.dumps({"passes while importing": len(passes),
                      "frozen": {m: id(vars(sys.modules[m])) not in tracked for m in MODULES}}),
          file=sys.stderr)
atexit.register(probe)
sys.argv = ["components", *sys.argv[1:]]
runpy.run_module("components", run_name="__main__")
"""


@pytest.mark.parametrize("args", [["render", "--stack", "dev"],
                                  ["diff", "--stack", "dev", "--stack", "prod"]])
def test_the_cli_imports_with_the_collector_paused_and_renders_frozen(args):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", HEAP_PROBE, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    probe = json.loads(done.stderr.splitlines()[-1])
    assert probe["passes while importing"] == 0
    assert probe["frozen"] == dict.fromkeys(probe["frozen"], True)


def test_coverages_check_and_reports_load_only_for_coverage():
    import subprocess
    import sys

    probe = ("import sys, components.cli; "
             "print(sorted(m for m in sys.modules if m.startswith('components.coverage.')))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "['components.coverage.command']"
