"""The diff agrees with the engine: for each change in a table, what
`python -m components diff` predicts for every object is what
`pulumi preview --json` plans for it.

One base stack is deployed once: dev, in its own namespace, with redis'
persistence on so the table can resize a claim (engine_ops.claim_volume
says what it binds to). Each row writes the changed stack file, previews
it, and puts the base file back, so the rows stand alone. engine_ops.py
says how the two answers are put in one vocabulary.
"""

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from components.render.renderer import render_stack_file
from components.review.pairing import compare
from tests.e2e.cluster import ROOT, current_context
from tests.e2e.engine_ops import (
    Edit,
    base_stack_text,
    changed,
    claim_volume,
    disagreements,
    edited,
    engine_ops,
    expected_ops,
)
from tests.e2e.stack import ThrowawayStack
from tests.workloads.test_labels import rendered_before_the_labels

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
STEPS_IN_ORDER = False
"""Each row stands alone: one disagreeing does not skip the others (conftest.py)."""

VOLUME_CAPACITY = "10Gi"
"""Room for the table's resized claim as well as the base's."""


@dataclass(frozen=True)
class Row:
    id: str
    path: str
    """The config key it changes, below `redis-filebeat:`, dotted."""
    edit: Edit
    changes: tuple[str, ...]
    """What the engine does, as `changed` words it: every object it does not
    keep as it is. `{ns}` is the base's namespace. Also in docs/e2e.md."""
    unseen: Mapping[str, str] = field(default_factory=dict)
    """Disagreements (as `disagreements` words them) the diff cannot help,
    with the reason: none of them may go unexplained, nor linger once fixed."""


ROWS = (
    Row("filebeat-image", "filebeat.image", lambda _: "docker.elastic.co/beats/filebeat:9.3.7",
        ("DaemonSet filebeat: update",)),
    # Every object of filebeat's carries its labels; only the DaemonSet selects on them.
    Row("filebeat-labels", "filebeat.labels",
        lambda _: {"app.kubernetes.io/name": "filebeat", "app.kubernetes.io/part-of": "logs"},
        ("ClusterRole {ns}-filebeat: update", "ClusterRoleBinding {ns}-filebeat: update",
         "ConfigMap filebeat-config: update", "DaemonSet filebeat: replace",
         "NetworkPolicy filebeat: update", "NetworkPolicy redis: update",
         "ResourceQuota filebeat-critical-pods: update", "Secret filebeat-redis-auth: update",
         "ServiceAccount filebeat: update")),
    # The ConfigMap is deleted first and re-created; the DaemonSet, which names
    # it as a plain value (not its output), is patched and rolls on its checksum.
    Row("filebeat-yml", "filebeat.logLevel", lambda _: "debug",
        ("ConfigMap filebeat-config: replace", "DaemonSet filebeat: update")),
    Row("redis-port", "redis.port", lambda _: 6380,
        ("DaemonSet filebeat: update", "Service redis: update")),
    # Same URNs, so a replace; the cluster-scoped RBAC, named after the
    # namespace, is renamed (engine_ops.py); the Namespace's logical name is its own.
    Row("namespace", "namespace", lambda namespace: f"{namespace}-moved",
        ("ClusterRole {ns}-filebeat: delete", "ClusterRole {ns}-moved-filebeat: create",
         "ClusterRoleBinding {ns}-filebeat: delete",
         "ClusterRoleBinding {ns}-moved-filebeat: create",
         "ConfigMap filebeat-config: replace", "ConfigMap redis-config: replace",
         "DaemonSet filebeat: replace", "Deployment redis: replace",
         "Namespace {ns}: delete", "Namespace {ns}-moved: create",
         "NetworkPolicy filebeat: replace", "NetworkPolicy redis: replace",
         "PersistentVolumeClaim redis-data: replace",
         "ResourceQuota filebeat-critical-pods: replace", "Secret filebeat-redis-auth: replace",
         "Secret redis-auth: replace", "Service redis: replace",
         "ServiceAccount filebeat: replace")),
    Row("claim-size", "redis.persistence.size", lambda _: "2Gi",
        ("PersistentVolumeClaim redis-data: update",)),
    Row("on-delete", "filebeat.updateStrategy", lambda _: {"type": "OnDelete"},
        ("DaemonSet filebeat: update",)),
    Row("node-class", "filebeat.nodeClasses",
        lambda _: {"linux": {"nodeSelector": {"kubernetes.io/arch": "amd64"}}},
        ("DaemonSet filebeat: delete", "DaemonSet filebeat-linux: create")),
    Row("max-unavailable", "filebeat.updateStrategy",
        lambda _: {"type": "RollingUpdate", "maxUnavailable": 2},
        ("DaemonSet filebeat: update",)),
    # filebeat waits for redis by depends_on alone, so it is left as it is.
    Row("redis-conf", "redis.maxmemory", lambda _: "64Mi",
        ("ConfigMap redis-config: replace", "Deployment redis: update")),
)


def kubectl(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=120,
                          input=input)


@pytest.fixture(scope="module")
def base(cluster, tmp_path_factory):
    stack = ThrowawayStack(tmp_path_factory.mktemp("pulumi-state"), current_context())
    volume = None
    try:
        stack.create(base_stack_text(stack.namespace, stack.context))
        [claim] = [m for m in stack.rendered.items if m.kind == "PersistentVolumeClaim"]
        volume = claim_volume(stack.namespace, claim.name, VOLUME_CAPACITY)
        made = kubectl("apply", "-f", "-", input=json.dumps(volume))
        assert made.returncode == 0, made.stderr
        result = stack.stack.up(on_output=print)
        assert result.summary.result == "succeeded"
        yield stack
    finally:
        try:
            stack.tear_down()
        finally:  # even when the claim stays: pv-protection then deletes it after the claim
            if volume is not None:
                kubectl("delete", "persistentvolume", volume["metadata"]["name"],
                        "--ignore-not-found", "--wait=false")


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_the_diff_agrees_with_the_engine(base, row, tmp_path):
    before_text = base.stack_file.read_text(encoding="utf-8")
    after_text = edited(before_text, row.path, row.edit)
    after = tmp_path / base.stack_file.name  # the same stack name, for the render
    after.write_text(after_text, encoding="utf-8")
    old = render_stack_file(base.stack_file).manifests.objects
    new = render_stack_file(after).manifests.objects
    expected = expected_ops(compare(old, new), old, new)

    base.stack_file.write_text(after_text, encoding="utf-8")
    try:
        preview = base.cli("preview", "--json", "--show-sames")
    finally:
        base.stack_file.write_text(before_text, encoding="utf-8")
    assert preview.returncode == 0, preview.stdout[-4000:] + preview.stderr
    engine = engine_ops(json.loads(preview.stdout))
    assert disagreements(expected, engine) == list(row.unseen)
    assert changed(engine) == sorted(c.format(ns=base.namespace) for c in row.changes)


# One change the table cannot hold: not a stack file's, but the program's. Objects
# carried only their selector's labels before; this version adds Kubernetes'
# recommended ones to every object and pod template, and must not touch a selector.

BEFORE_THE_LABELS = """\"\"\"The program as it ran before the recommended labels
(tests/e2e/test_diff_engine.py): every object with its selector's labels only,
the Namespace with none. Offline, the
same: tests/workloads/test_labels.py's rendered_before_the_labels.\"\"\"

import components.workloads.labels as labels
import components.workloads.program as program

labels.recommended_labels = lambda name, instance: {}
program.stack_labels = lambda: None
program.main()
"""


def project_before_the_labels(into: Path) -> Path:
    """This project, with the program before the labels as its `__main__.py`: its
    own Pulumi.yaml, its components and .venv linked, and an empty stacks/ for the
    throwaway stack."""
    into.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", into)
    for linked in ("components", ".venv"):
        (into / linked).symlink_to(ROOT / linked)
    (into / "stacks").mkdir()
    (into / "__main__.py").write_text(BEFORE_THE_LABELS, encoding="utf-8")
    return into


def test_labels_added_to_a_deployed_stack_update_it(cluster, tmp_path, monkeypatch):
    """A stack deployed before the recommended labels, previewed with this version's
    program: every object is updated in place, none replaced, as `diff` says."""
    project = project_before_the_labels(tmp_path / "project")
    (tmp_path / "state").mkdir()
    stack = ThrowawayStack(tmp_path / "state", current_context(), root=project)
    try:
        stack.create()
        assert stack.stack is not None
        assert stack.stack.up(on_output=print).summary.result == "succeeded"
        new = render_stack_file(stack.stack_file).manifests
        old = rendered_before_the_labels(stack.stack_file, monkeypatch)
        expected = expected_ops(compare(old.objects, new.objects), old.objects, new.objects)
        assert set(expected.values()) == {"update"}

        (project / "__main__.py").write_text((ROOT / "__main__.py").read_text(encoding="utf-8"),
                                             encoding="utf-8")
        preview = stack.cli("preview", "--json", "--show-sames")
        assert preview.returncode == 0, preview.stdout[-4000:] + preview.stderr
        engine = engine_ops(json.loads(preview.stdout))
        assert disagreements(expected, engine) == []
        assert changed(engine) == sorted(f"{kind} {name}: update" for kind, name in expected)
    finally:
        stack.tear_down()
