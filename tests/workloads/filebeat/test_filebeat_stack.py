"""What a filebeat stack holds beside the DaemonSet: the stack's outputs, the Namespace
when asked for, and the ResourceQuota a critical priority class needs outside kube-system.

Together because each checks objects or values the stack gets around filebeat's pods,
not the pods themselves (test_filebeat.py)."""

import pytest

from tests.configs import minimal, render_config, with_filebeat


def test_outputs():
    out = render_config(with_filebeat(name="shipper"))
    assert out.outputs == {
        "daemonSetName": "shipper",
        "daemonSetNames": ["shipper"],
        "namespace": "default",
        "redisHost": "redis.default.svc.cluster.local",
        "redisPort": 6379,
    }


def test_create_namespace_adds_it_first():
    out = render_config(minimal() | {"namespace": "logging", "createNamespace": True})
    assert out.manifests.objects[0].body == {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "logging", "annotations": {"pulumi.com/patchForce": "true"},
                     "labels": {"app.kubernetes.io/name": "redis-filebeat",
                                "app.kubernetes.io/instance": "test",
                                "app.kubernetes.io/managed-by": "pulumi",
                                "app.kubernetes.io/part-of": "redis-filebeat"}}}
    namespaced = [m for m in out.manifests.objects[1:] if m.namespace is not None]
    assert {m.namespace for m in namespaced} == {"logging"}
    assert {m.kind for m in out.manifests.objects if m.namespace is None} == {
        "Namespace", "ClusterRole", "ClusterRoleBinding"}


def test_no_namespace_object_by_default():
    assert "Namespace" not in render_config(minimal() | {"namespace": "logging"}).manifests


def test_a_critical_class_outside_kube_system_brings_its_quota():
    out = render_config(with_filebeat() | {"namespace": "logging"}).manifests
    assert out["ResourceQuota"]["filebeat-critical-pods"]["spec"] == {
        "hard": {"pods": "10k"},
        "scopeSelector": {"matchExpressions": [{
            "scopeName": "PriorityClass", "operator": "In",
            "values": ["system-node-critical"]}]}}
    assert out["ResourceQuota"]["filebeat-critical-pods"]["metadata"]["namespace"] == "logging"


@pytest.mark.parametrize("config", [
    with_filebeat() | {"namespace": "kube-system"},  # admitted there; a quota would count its pods
    with_filebeat(priorityClassName=None),
    with_filebeat(priorityClassName="high"),
])
def test_no_quota_where_none_is_needed(config):
    assert "ResourceQuota" not in render_config(config).manifests
