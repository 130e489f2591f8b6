"""forceConflicts: every object of the stack takes its fields back from other tools."""

from components.conventions import PATCH_FORCE
from tests.configs import minimal, render_config, with_filebeat


def annotations(manifest) -> dict:
    return manifest.body["metadata"].get("annotations") or {}


def test_every_object_carries_patch_force_by_default():
    config = with_filebeat(nodeClasses={"a": {"nodeSelector": {"pool": "a"}}}) | {
        "namespace": "logging", "createNamespace": True}
    objects = render_config(config).manifests.objects
    assert len({m.kind for m in objects}) >= 10
    assert [m.kind for m in objects if annotations(m).get(PATCH_FORCE) != "true"] == []


def test_it_joins_the_annotations_an_object_already_has():
    daemon_set = render_config(with_filebeat(updateStrategy={"type": "OnDelete"})).manifests[
        "DaemonSet"]["filebeat"]
    assert daemon_set["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"
    assert daemon_set["metadata"]["annotations"][PATCH_FORCE] == "true"


def test_pod_templates_do_not_carry_it():
    """pulumi-kubernetes reads it from the object's own metadata; on a
    template it would only be a template change that rolls every pod."""
    manifests = render_config(minimal()).manifests
    for workload in (manifests["DaemonSet"]["filebeat"], manifests["Deployment"]["redis"]):
        assert PATCH_FORCE not in workload["spec"]["template"]["metadata"].get("annotations", {})


def test_false_leaves_the_conflicts_to_the_engine():
    objects = render_config(minimal() | {"forceConflicts": False}).manifests.objects
    assert objects and [m.kind for m in objects if PATCH_FORCE in annotations(m)] == []
