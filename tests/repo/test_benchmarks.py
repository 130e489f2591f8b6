"""The benchmark's inputs are what they claim to be (nothing here is timed)."""

import json
import runpy
import subprocess
import sys

import pytest
import yaml

from benchmarks.engine import BARE
from benchmarks.peers import import_floor, import_floor_as_ours, same_objects
from benchmarks.runner import BenchmarkError
from benchmarks.sections import against
from benchmarks.stacks import write_node_class_stack
from components.project import RawConfig
from components.render.capture import from_capture
from components.render.mockrun import run_with_mocks
from components.render.renderer import render_stack_file
from tests.configs import ROOT


def test_an_n_class_stack_renders_n_daemon_sets(tmp_path):
    manifests = render_stack_file(write_node_class_stack(3, tmp_path)).manifests
    assert sorted(manifests["DaemonSet"]) == ["filebeat-pool0000", "filebeat-pool0001",
                                              "filebeat-pool0002"]


def test_the_import_floor_imports_what_the_program_imports():
    command = import_floor().command
    assert command[0] == sys.executable
    imported = set(command[2].removeprefix("import ").split(", "))
    assert {"pulumi", "pulumi_kubernetes", "pulumi_kubernetes.apps.v1",
            "pulumi_kubernetes.core.v1", "pulumi_kubernetes.meta.v1",
            "pulumi_kubernetes.networking.v1", "pulumi_kubernetes.rbac.v1"} <= imported
    assert all(name.startswith("pulumi") for name in imported)


def test_the_floor_as_ours_imports_the_same_as_the_cli_does():
    plain, as_ours = import_floor().command[2], import_floor_as_ours().command[2]
    assert as_ours == ("from components.cli import inputs\ninputs.freeze_heap = True\n"
                       "with inputs.imports_kept_to_exit():\n    " + plain)
    done = subprocess.run([sys.executable, "-c", as_ours + "\nimport gc, sys\n"
                           "print(gc.get_freeze_count() > 0, 'pulumi.automation' in sys.modules,"
                           " type(sys.modules['pulumi.automation']).__name__)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "True", "_LazyModule"], done.stderr[-2000:]


def test_against_an_unknown_revision_says_so(tmp_path):
    with pytest.raises(BenchmarkError, match="git archive no-such-revision: "):
        against(tmp_path, 1, "no-such-revision", [100])


def test_a_peer_that_drops_or_changes_a_field_is_caught(tmp_path):
    """The peers' output is compared with our render before they are timed."""
    ours = render_stack_file(write_node_class_stack(2, tmp_path)).manifests.to_yaml()
    documents = list(yaml.safe_load_all(ours))
    assert same_objects(ours, yaml.safe_dump_all(reversed(documents))) == ""
    changed = documents[-1]["metadata"]
    changed["labels"] = {**changed.get("labels", {}), "dropped-by-a-peer": "no"}
    assert same_objects(ours, yaml.safe_dump_all(documents)) == (
        f"{documents[-1]['kind']}/{changed.get('namespace', '')}/{changed['name']}")


def test_the_bare_program_makes_the_render_s_objects_and_nothing_of_ours(tmp_path):
    """The engine section's yardstick, under mocks: the same objects, field
    for field, with the password where the render says `[secret]`, and no
    resource of ours (no component) around them."""
    stack_file = ROOT / "stacks" / "Pulumi.dev.yaml"
    objects = render_stack_file(stack_file).manifests.documents()
    (tmp_path / "objects.json").write_text(json.dumps(objects))
    config = RawConfig({"bare:objects": str(tmp_path / "objects.json"),
                        "redis-filebeat:redisPassword": "a-password-for-the-bench"},
                       frozenset({"redis-filebeat:redisPassword"}))
    capture = run_with_mocks(lambda: runpy.run_path(str(BARE / "__main__.py")), "bench", config)
    assert {r.type.partition(":")[0] for r in capture.resources} == {"kubernetes"}
    assert from_capture(capture.resources).documents() == objects
