"""`diff` from the command line: the committed stacks, the two sides it needs, and its
lines against the engine's own table. A folder as a side is test_diff_folders.py's; the
field paths and values its report shows are test_diff_fields.py's."""

import pytest

import tests.e2e.test_diff_engine as engine_table
from components.cli import main as cli_main
from components.render.renderer import render_stack_file
from components.review.capacity import MEASURED_BYTES
from components.review.change import Changed
from components.review.pairing import compare
from tests.e2e.engine_ops import base_stack_text, edited
from tests.review.test_diff import (
    cluster_section,
    run,
)

# --- the committed stacks -----------------------------------------------------

def bytes_per_event() -> int:
    """The measured figure for the generated list setting (components/review/capacity.py)."""
    return MEASURED_BYTES[(1, -5)]


def test_demo_to_dev(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "demo", "--stack", "dev")
    assert code == 1
    cluster = cluster_section(out)
    assert cluster == [
        "  ConfigMap default/redis-config → logging/redis-config: namespace changed default → "
        "logging → Pulumi replaces it, creating the new ConfigMap before deleting the old one",
        # The demo, as the tutorial, leaves redis without a memory limit.
        "  ConfigMap default/redis-config → logging/redis-config: the buffer gets a maxmemory, "
        f"where it had none: it holds about {96 * 2**20 // bytes_per_event():,} events in "
        "maxmemory 96mb, at " + str(bytes_per_event()) + " bytes an event as measured for "
        "list-compress-depth 1, list-max-listpack-size -5 with events of about 1.8 kB with "
        "their kubernetes metadata, from a mixed corpus (docs/buffer.md#sizing); give "
        "--log-rate or redis.buffer.expectedRate for the reader outage it outlasts",
        "  Service default/redis → logging/redis: namespace changed default → logging → "
        "Pulumi replaces it, creating the new Service before deleting the old one",
        "  Service default/redis → logging/redis: Service moved → clients of redis:6379 in "
        "default break",
        "  DaemonSet default/filebeat-ds: removed → Pulumi deletes it and its pods stop: the "
        "nodes it selected no longer ship logs",
        "  DaemonSet logging/filebeat: added → a pod starts on every selected node",
        "  Deployment default/redis → logging/redis: namespace changed default → logging → "
        "Pulumi replaces it, creating the new Deployment before deleting the old one; what "
        "the old pods hold in memory or emptyDir is lost (no persistent volume)",
    ]
    assert out.startswith("diff --stack demo → --stack dev: 3 moved, 11 added, 1 removed\n")


def test_dev_to_prod(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "dev", "--stack", "prod")
    assert code == 1
    cluster = cluster_section(out)
    assert cluster == [
        "  Namespace logging: Namespace removed → Pulumi deletes it, and Kubernetes deletes "
        "everything in it, including objects this stack did not create",
        # prod's exporter reads a password file of its own from the auth Secret.
        "  Secret logging/redis-auth: Secret content changed → Pulumi replaces it (delete, "
        "then create; Secrets are immutable to the provider by default); pods of Deployment "
        "logging/redis roll through the config hash",
        "  ConfigMap logging/filebeat-config: ConfigMap content changed → Pulumi replaces it "
        "(delete, then create; ConfigMaps are immutable to the provider by default); pods of "
        "DaemonSet logging/filebeat roll through the config hash",
        "  ConfigMap logging/redis-config: ConfigMap content changed → Pulumi replaces it "
        "(delete, then create; ConfigMaps are immutable to the provider by default); pods of "
        "Deployment logging/redis roll through the config hash",
        "  ConfigMap logging/redis-config: the buffer holds about "
        f"{1536 * 2**20 // bytes_per_event():,} events, was {96 * 2**20 // bytes_per_event():,} "
        f"(16.00×; {bytes_per_event()} bytes an event for list-compress-depth 1, "
        # At prod's redis.buffer.expectedRate.
        "list-max-listpack-size -5, measured, docs/buffer.md#sizing); at 2,000 events/s "
        "it outlasts a reader outage of about "
        f"{1536 * 2**20 // bytes_per_event() / 2000 / 60:.0f} minutes, was about "
        f"{96 * 2**20 // bytes_per_event() / 2000 / 60:.0f} minutes",
        "  DaemonSet logging/filebeat: pod template changed → RollingUpdate replaces pods on "
        "every selected node, at most 10% of the selected nodes unavailable at a time",
        "  DaemonSet logging/filebeat: node selection changed → pods start on newly selected "
        "nodes and stop on nodes no longer selected",
        "  Deployment logging/redis: pod template changed → Recreate stops 1 pod before "
        "starting new ones: down until the new pods are ready; what the old pods hold is "
        "lost: their new PersistentVolumeClaim redis-data starts empty",
    ]
    assert "+ PersistentVolumeClaim logging/redis-data (added)" in out


# --- its two sides -----------------------------------------------------------

def test_same_stack_twice_is_no_change(capsys):
    assert run(capsys, "diff", "--stack", "dev", "--stack", "dev")[:2] == (
        0, "diff --stack dev → --stack dev: no changes\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["--stack", "dev"], "diff needs two sides, old then new"),
    (["--stack", "dev", "--dir", "x", "--stack", "prod"], "got 3"),
])
def test_two_sides_are_required(capsys, argv, message):
    with pytest.raises(SystemExit) as exit:
        cli_main(["diff", *argv])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_unreadable_sides_exit_2(capsys, tmp_path):
    code, out, err = run(capsys, "diff", "--dir", str(tmp_path / "none"), "--stack", "dev")
    assert (code, out, err) == (2, "", f"{tmp_path}/none: not a folder\n")
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  redis-filebeat:namespce: x\n")
    code, _, err = run(capsys, "diff", "--stack", "dev", "--config", str(bad))
    assert code == 2 and "namespce" in err


# --- the lines agree with the engine's table ----------------------------------

REPLACE_WORDS = ("Pulumi replaces it", "delete and re-create")
"""How an impact line says that Pulumi replaces the object itself (not its pods)."""


@pytest.mark.parametrize("row", engine_table.ROWS, ids=[row.id for row in engine_table.ROWS])
def test_an_object_the_engine_replaces_is_said_to_be_replaced(row, tmp_path):
    """tests/e2e/test_diff_engine.py's rows are what `pulumi preview` really
    does: an object it replaces gets a line that says so, and one it only
    updates gets none (a ConfigMap is replaced though our program names it)."""
    base = tmp_path / "Pulumi.e2e-abc.yaml"
    base.write_text(base_stack_text("e2e-abc", "kind-e2e"))
    after = tmp_path / "after" / base.name
    after.parent.mkdir()
    after.write_text(edited(base.read_text(), row.path, row.edit))
    diffs = compare(render_stack_file(base).manifests.objects,
                    render_stack_file(after).manifests.objects)
    said = {(d.change.latest.kind, d.change.latest.name):
            any(words in line for line in d.impacts for words in REPLACE_WORDS)
            for d in diffs if isinstance(d.change, Changed)}
    engine = dict(change.format(ns="e2e-abc").split(": ") for change in row.changes)
    replaced = {tuple(key.split(" ")): op == "replace" for key, op in engine.items()
                if op in ("replace", "update")}
    assert {key: said.get(key) for key in replaced} == replaced
