"""`diff` against the engine's replace rules, where the end-to-end table
(tests/e2e/test_diff_engine.py) found the diff wrong: one minimal change
each, asserting `ObjectDiff.replaced` and the line a reviewer reads."""

import json

import pytest

from components.cli import main as cli_main
from components.review.pairing import compare
from components.review.storage import StorageClassError, StorageClasses, storage_classes_of
from tests.configs import render_config, with_redis

CLAIM = "PersistentVolumeClaim default/redis-data"


def diff(old_config: dict, new_config: dict, storage: StorageClasses | None = None):
    return {d.identity: d for d in compare(render_config(old_config).manifests.objects,
                                           render_config(new_config).manifests.objects,
                                           storage)}


def persistent(**persistence) -> dict:
    return with_redis(persistence={"enabled": True, **persistence})


def test_a_resized_claim_is_patched_in_place():
    """pulumi-kubernetes replaces a claim only for its access modes, selector,
    storage class or volume name; its size it patches, as Kubernetes allows."""
    diffs = diff(persistent(size="1Gi"), persistent(size="2Gi"))
    assert list(diffs) == [CLAIM]
    assert diffs[CLAIM].replaced is False
    assert diffs[CLAIM].impacts == (
        "size 1Gi → 2Gi → Pulumi patches the claim in place: Kubernetes only grows a claim, "
        "and only when its StorageClass has allowVolumeExpansion; otherwise `pulumi up` fails "
        "(`diff --storage-classes` with the cluster's says which)",)


def storage_class(name: str, expands: bool | None, default: bool = False) -> dict:
    body = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name}, "provisioner": "example.com/disk"}
    if expands is not None:
        body["allowVolumeExpansion"] = expands
    if default:
        body["metadata"]["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return body


KUBECTL = {"apiVersion": "v1", "kind": "List", "items": [
    storage_class("standard", True, default=True), storage_class("fixed", False),
    storage_class("legacy", None)]}


def grown(storage: StorageClasses, **persistence) -> str:
    diffs = diff(persistent(size="1Gi", **persistence), persistent(size="2Gi", **persistence),
                 storage)
    [line] = diffs[CLAIM].impacts
    return line


@pytest.mark.parametrize(("persistence", "line"), [
    ({"storageClassName": "standard"}, "size 1Gi → 2Gi → StorageClass standard allows volume "
     "expansion: Pulumi patches the claim and the volume grows with its data (a smaller size "
     "is refused)"),
    ({}, "size 1Gi → 2Gi → StorageClass standard allows volume expansion: Pulumi patches the "
     "claim and the volume grows with its data (a smaller size is refused)"),
    ({"storageClassName": "fixed"}, "size 1Gi → 2Gi → `pulumi up` fails: StorageClass fixed "
     "does not allow volume expansion, so Kubernetes refuses the new size; set "
     "allowVolumeExpansion on the class if its provisioner can, or move the data to a new "
     "claim"),
    ({"storageClassName": "gone"}, "size 1Gi → 2Gi → StorageClass gone is not in sc.json: "
     "Kubernetes grows the claim only if that class has allowVolumeExpansion"),
])
def test_the_cluster_s_storage_classes_say_which_case_applies(persistence, line):
    assert grown(storage_classes_of(KUBECTL, "sc.json"), **persistence) == line


def test_an_unset_allow_volume_expansion_is_false():
    assert grown(storage_classes_of(KUBECTL, "sc.json"), storageClassName="legacy").startswith(
        "size 1Gi → 2Gi → `pulumi up` fails: StorageClass legacy does not allow")


@pytest.mark.parametrize(("defaults", "count"), [((), "none"), ((0, 1), "2 (a, b)")])
def test_a_claim_without_a_class_needs_exactly_one_default(defaults, count):
    classes = {"kind": "List", "items": [storage_class(n, True, default=i in defaults)
                                         for i, n in enumerate("ab")]}
    assert grown(storage_classes_of(classes, "sc.json")) == (
        f"size 1Gi → 2Gi → the claim names no StorageClass and sc.json marks {count} "
        "default: Kubernetes grows a claim only when its class has allowVolumeExpansion")


def test_one_storage_class_on_its_own_is_read():
    assert storage_classes_of(storage_class("one", True), "sc.json").expands == {"one": True}


def test_what_is_not_a_storage_class_is_refused_one_line_each():
    with pytest.raises(StorageClassError) as caught:
        storage_classes_of({"kind": "List", "items": [
            {"kind": "Node", "metadata": {"name": "n"}}, storage_class("ok", True), "text",
            {"kind": "StorageClass", "metadata": {}}]}, "sc.json")
    assert str(caught.value).splitlines() == [
        "sc.json: items[0]: not a StorageClass with a metadata.name",
        "sc.json: items[2]: not a StorageClass with a metadata.name",
        "sc.json: items[3]: not a StorageClass with a metadata.name"]
    with pytest.raises(StorageClassError, match="^sc.json: items: must be a list"):
        storage_classes_of({"kind": "List", "items": {}}, "sc.json")


def write_stack(folder, name: str, size: str):
    config = with_redis(auth=False, persistence={"enabled": True, "size": size})
    values = {f"redis-filebeat:{key}": value for key, value in config.items()}
    path = folder / f"Pulumi.{name}.yaml"
    path.write_text(json.dumps({"config": values}))
    return str(path)


def test_diff_reads_them_from_kubectl_s_json(tmp_path, capsys):
    classes = tmp_path / "sc.json"
    classes.write_text(json.dumps(KUBECTL))
    old, new = write_stack(tmp_path, "old", "1Gi"), write_stack(tmp_path, "new", "2Gi")
    assert cli_main(["diff", "--config", old, "--config", new, "--storage-classes",
                     str(classes)]) == 1
    out = capsys.readouterr().out
    assert "size 1Gi → 2Gi → StorageClass standard allows volume expansion" in out


@pytest.mark.parametrize(("text", "error"), [
    ("[1, 2]", "sc.json: not a StorageClass with a metadata.name"),
    ("a: [", "sc.json:2:1: did not find expected node content"),
])
def test_a_bad_storage_class_file_is_one_line_and_exit_2(tmp_path, capsys, text, error):
    classes = tmp_path / "sc.json"
    classes.write_text(text)
    old = write_stack(tmp_path, "old", "1Gi")
    assert cli_main(["diff", "--config", old, "--config", old, "--storage-classes",
                     str(classes)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(str(classes).removesuffix("sc.json") + error), err
    assert "Traceback" not in err


def test_a_new_storage_class_replaces_the_claim_and_loses_its_data():
    diffs = diff(persistent(storageClassName="fast"), persistent(storageClassName="slow"))
    assert diffs[CLAIM].replaced is True
    assert diffs[CLAIM].impacts[:2] == (
        "spec.storageClassName changed → immutable for Pulumi: it will delete and re-create "
        "the PersistentVolumeClaim",
        "the old claim is deleted before the new one is created (the name stays): the data "
        "on it is lost unless its PersistentVolume's reclaimPolicy is Retain")
