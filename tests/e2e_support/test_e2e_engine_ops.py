"""The e2e table's own logic, where it cannot deploy: how our diff's answer
and the engine's `preview --json` are put in one vocabulary, how a row
edits the stack file, and that every row changes something at all."""

import pytest
import yaml

import tests.e2e.test_diff_engine as table
from components.render.renderer import render_stack_file
from components.review.pairing import compare
from tests.configs import ROOT, minimal, render_config, with_filebeat
from tests.e2e.engine_ops import (
    base_stack_text,
    changed,
    claim_volume,
    disagreements,
    edited,
    engine_ops,
    expected_ops,
)


def predicted(old_config: dict, new_config: dict) -> dict:
    old = render_config(old_config).manifests.objects
    new = render_config(new_config).manifests.objects
    return expected_ops(compare(old, new), old, new)


# Our diff's answer.

def test_an_unchanged_object_is_same_and_a_patched_one_an_update():
    ops = predicted(minimal(), with_filebeat(image="docker.elastic.co/beats/filebeat:8.16.0"))
    assert changed(ops) == ["DaemonSet filebeat: update"]
    assert ops[("Service", "redis")] == "same"


def test_a_replaced_object_is_a_replace():
    ops = predicted(minimal(), with_filebeat(labels={"app.kubernetes.io/name": "x"}))
    assert ops[("DaemonSet", "filebeat")] == "replace"  # its selector
    assert ops[("ServiceAccount", "filebeat")] == "update"  # its labels only


def test_added_and_removed_objects_are_a_create_and_a_delete():
    classes = {"arm": {"nodeSelector": {"kubernetes.io/arch": "arm64"}}}
    assert changed(predicted(minimal(), with_filebeat(nodeClasses=classes))) == [
        "DaemonSet filebeat-arm: create", "DaemonSet filebeat: delete"]


def test_a_namespace_move_replaces_in_place_and_renames_the_cluster_wide_rbac():
    ops = predicted(minimal(), minimal() | {"namespace": "logging"})
    assert ops[("DaemonSet", "filebeat")] == ops[("Secret", "redis-auth")] == "replace"
    assert ops[("ClusterRole", "default-filebeat")] == "delete"
    assert ops[("ClusterRole", "logging-filebeat")] == "create"


def test_one_name_in_two_namespaces_of_one_side_is_refused():
    objects = render_config(minimal()).manifests.objects
    [service] = [m for m in objects if m.kind == "Service"]
    twin = type(service)({**service.body, "metadata": {**service.body["metadata"],
                                                       "namespace": "other"}})
    with pytest.raises(ValueError, match="Service redis"):
        expected_ops([], [*objects, twin], objects)


# The engine's answer.

URN = "urn:pulumi:e2e-abc::redis-filebeat::redis-filebeat:components:Redis${type}::{name}"


def step(op: str, type_: str, logical: str, old: str | None = None,
         new: str | None = None) -> dict:
    def state(name: str | None) -> dict | None:
        return None if name is None else {"type": type_, "inputs": {"metadata": {"name": name}}}
    return {"op": op, "urn": URN.format(type=type_, name=logical),
            "oldState": state(old), "newState": state(new)}


CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"


def test_the_engine_steps_read_as_one_op_per_object():
    preview = {"steps": [
        step("same", "pulumi:pulumi:Stack", "redis-filebeat-e2e-abc"),
        step("same", "redis-filebeat:components:Redis", "redis"),
        step("update", "kubernetes:core/v1:Service", "redis", "redis", "redis"),
        # --show-replacement-steps lists all three; they are one replace.
        step("delete-replaced", CONFIG_MAP, "redis-config", "redis-config", None),
        step("replace", CONFIG_MAP, "redis-config", "redis-config", "redis-config"),
        step("create-replacement", CONFIG_MAP, "redis-config", None, "redis-config"),
        step("replace", ROLE, "filebeat", "a-filebeat", "b-filebeat"),
        step("create", "kubernetes:core/v1:Namespace", "b", None, "b"),
        step("delete", "kubernetes:core/v1:Namespace", "a", "a", None),
        step("update", "pulumi:providers:kubernetes", "default"),
    ]}
    assert engine_ops(preview) == {
        ("Service", "redis"): "update", ("ConfigMap", "redis-config"): "replace",
        ("ClusterRole", "a-filebeat"): "delete", ("ClusterRole", "b-filebeat"): "create",
        ("Namespace", "b"): "create", ("Namespace", "a"): "delete",
        ("pulumi:providers:kubernetes", "default"): "update"}


def test_two_ops_for_one_object_are_refused():
    preview = {"steps": [step("update", CONFIG_MAP, "x", "settings", "settings"),
                         step("create", CONFIG_MAP, "y", None, "settings")]}
    with pytest.raises(ValueError, match="ConfigMap settings: both update and create"):
        engine_ops(preview)


def test_every_object_either_side_leaves_out_is_a_disagreement():
    expected = {("DaemonSet", "filebeat"): "update", ("Service", "redis"): "same"}
    engine = {("DaemonSet", "filebeat"): "replace", ("Namespace", "x"): "create"}
    assert disagreements(expected, engine) == [
        "DaemonSet filebeat: engine replace, diff update",
        "Namespace x: engine create, diff absent",
        "Service redis: engine absent, diff same"]
    assert disagreements(expected, dict(expected)) == []


# The table's stack files.

def test_an_edit_keeps_the_rest_of_the_stack_file():
    text = ("encryptionsalt: v1:abc\nconfig:\n"
            "  redis-filebeat:redisPassword:\n    secure: v1:xyz\n"
            "  redis-filebeat:redis:\n    image: redis:7\n")
    document = yaml.safe_load(edited(text, "redis.persistence.size", lambda old: f"{old}2Gi"))
    assert document["encryptionsalt"] == "v1:abc"
    assert document["config"]["redis-filebeat:redisPassword"] == {"secure": "v1:xyz"}
    assert document["config"]["redis-filebeat:redis"] == {
        "image": "redis:7", "persistence": {"size": "None2Gi"}}


def test_the_volume_binds_to_the_claim_alone():
    spec = claim_volume("e2e-abc", "redis-data", "10Gi")["spec"]
    assert spec["claimRef"] == {"namespace": "e2e-abc", "name": "redis-data"}
    assert spec["storageClassName"] == ""  # as the claim's, which names no class
    assert spec["accessModes"] == ["ReadWriteOnce"]


@pytest.mark.parametrize("row", table.ROWS, ids=[row.id for row in table.ROWS])
def test_every_row_changes_the_render(row, tmp_path):
    """Offline, so a row that edits nothing (a misspelt key is refused, but a
    value equal to the default is not) fails here rather than agreeing vacuously."""
    base = tmp_path / "Pulumi.e2e-abc.yaml"
    base.write_text(base_stack_text("e2e-abc", "kind-e2e"))
    after = tmp_path / "after" / base.name
    after.parent.mkdir()
    after.write_text(edited(base.read_text(), row.path, row.edit))
    assert compare(render_stack_file(base).manifests.objects,
                   render_stack_file(after).manifests.objects)


def test_the_docs_list_every_row():
    docs = (ROOT / "docs" / "e2e.md").read_text(encoding="utf-8")
    assert [row.id for row in table.ROWS if f"| `{row.id}` |" not in docs] == []
