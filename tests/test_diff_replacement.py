"""`diff` against the engine's replace rules, where the end-to-end table
(tests/e2e/test_diff_engine.py) found the diff wrong: one minimal change
each, asserting `ObjectDiff.replaced` and the line a reviewer reads."""

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
