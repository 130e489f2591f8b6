"""`diff` against the engine's replace rules, where the end-to-end table
(tests/e2e/test_diff_engine.py) found the diff wrong: one minimal change
each, asserting `ObjectDiff.replaced` and the line a reviewer reads."""

import copy

from components.render.manifests import Manifest
from components.review.pairing import compare
from tests.configs import render_config, with_redis

CLAIM = "PersistentVolumeClaim default/redis-data"


def diff(old_config: dict, new_config: dict):
    return {d.identity: d for d in compare(render_config(old_config).manifests.objects,
                                           render_config(new_config).manifests.objects)}


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
        "and only when its StorageClass has allowVolumeExpansion; otherwise `pulumi up` fails",)


def test_a_new_storage_class_replaces_the_claim_and_loses_its_data():
    diffs = diff(persistent(storageClassName="fast"), persistent(storageClassName="slow"))
    assert diffs[CLAIM].replaced is True
    assert diffs[CLAIM].impacts[:2] == (
        "spec.storageClassName changed → immutable for Pulumi: it will delete and re-create "
        "the PersistentVolumeClaim",
        "the old claim is deleted before the new one is created (the name stays): the data "
        "on it is lost unless its PersistentVolume's reclaimPolicy is Retain")


# A workload that reads an object Pulumi deletes first is re-created with it.

SETTINGS = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "ns"}, "data": {"a": "1"}}


def agent(reads_settings: bool = True) -> dict:
    """A DaemonSet with no checksum of its config: its manifest stays the same."""
    volumes = [{"name": "s", "configMap": {"name": "settings"}}] if reads_settings else []
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "ns"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "agent", "image": "agent:1"}],
                         "volumes": volumes}}}}


def compare_bodies(old: list[dict], new: list[dict]):
    return {d.identity: d for d in compare([Manifest(b) for b in old],
                                           [Manifest(b) for b in new])}


def test_a_config_map_change_re_creates_its_reader_even_when_the_reader_is_unchanged():
    """The engine deletes first every dependent that would be replaced were its
    inputs unknown; a DaemonSet's `spec` holds its immutable selector."""
    changed = copy.deepcopy(SETTINGS) | {"data": {"a": "2"}}
    diffs = compare_bodies([SETTINGS, agent()], [changed, agent()])
    assert {identity: d.replaced for identity, d in diffs.items()} == {
        "ConfigMap ns/settings": True, "DaemonSet ns/agent": True}
    assert diffs["DaemonSet ns/agent"].fields == ()
    assert diffs["DaemonSet ns/agent"].impacts == (
        "reads ConfigMap ns/settings, which Pulumi deletes first → Pulumi deletes the "
        "DaemonSet before it and re-creates it after, instead of rolling its pods (log gap)",)


def test_a_workload_that_starts_reading_a_changed_config_map_only_rolls():
    """It depended on nothing that is deleted, so the engine patches it."""
    changed = copy.deepcopy(SETTINGS) | {"data": {"a": "2"}}
    diffs = compare_bodies([SETTINGS, agent(reads_settings=False)], [changed, agent()])
    assert diffs["DaemonSet ns/agent"].replaced is False
    assert diffs["ConfigMap ns/settings"].impacts == (
        "ConfigMap content changed → Pulumi replaces it (delete, then create; ConfigMaps are "
        "immutable to the provider by default); no workload here reads it",)


def test_a_moved_config_map_re_creates_no_reader_of_the_old_one():
    """Moved, it is created before the old one is deleted: nothing depends on a gap."""
    moved = copy.deepcopy(SETTINGS)
    moved["metadata"]["namespace"] = "elsewhere"
    diffs = compare_bodies([SETTINGS, agent()], [moved, agent()])
    assert list(diffs) == ["ConfigMap ns/settings → elsewhere/settings"]
