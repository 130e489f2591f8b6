"""Where the redis pod may run: the same config types filebeat takes, one
setting per test, defaults first."""

import pytest
from kubernetes_validate.utils import validate

from tests.configs import minimal, refused, render_config, with_filebeat, with_redis
from tests.kube_schema import OLDEST_AND_NEWEST

AFFINITY = {"requiredTerms": [{"matchExpressions": [
    {"key": "pool", "operator": "In", "values": ["logging"]}]}]}
TOLERATION = {"key": "dedicated", "operator": "Equal", "value": "logging",
              "effect": "NoSchedule"}


def pod_spec(config: dict) -> dict:
    return render_config(config).manifests["Deployment"]["redis"]["spec"]["template"]["spec"]


def test_defaults():
    spec = pod_spec(minimal())
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    for absent in ("affinity", "tolerations", "priorityClassName",
                   "topologySpreadConstraints"):
        assert absent not in spec


def test_adding_node_selector_replaces_the_default():
    assert pod_spec(with_redis(nodeSelector={"pool": "logging"}))["nodeSelector"] == {
        "pool": "logging"}


def test_an_empty_node_selector_means_every_node():
    assert "nodeSelector" not in pod_spec(with_redis(nodeSelector={}))


def test_adding_node_affinity_renders_as_filebeats_does():
    redis = pod_spec(with_redis(nodeAffinity=AFFINITY))["affinity"]
    filebeat = render_config(with_filebeat(nodeAffinity=AFFINITY)).manifests["DaemonSet"][
        "filebeat"]["spec"]["template"]["spec"]["affinity"]
    assert redis == filebeat == {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["logging"]}]},
        ]}}}


def test_adding_tolerations():
    assert pod_spec(with_redis(tolerations=[TOLERATION]))["tolerations"] == [TOLERATION]


def test_adding_priority_class_name():
    assert pod_spec(with_redis(priorityClassName="log-buffer"))["priorityClassName"] == (
        "log-buffer")


def test_adding_topology_spread_counts_the_buffers_own_pods():
    spec = pod_spec(with_redis(topologySpreadConstraints=[
        {"topologyKey": "topology.kubernetes.io/zone"}]))
    assert spec["topologySpreadConstraints"] == [{
        "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}}]


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
def test_everything_renders_valid_manifests(version):
    config = with_redis(
        nodeSelector={"pool": "logging"}, nodeAffinity=AFFINITY, tolerations=[TOLERATION],
        priorityClassName="log-buffer",
        topologySpreadConstraints=[{"topologyKey": "kubernetes.io/hostname", "maxSkew": 2,
                                    "whenUnsatisfiable": "DoNotSchedule"}])
    validate(render_config(config).manifests["Deployment"]["redis"], version, strict=True)


FILE = "<render_config>"


@pytest.mark.parametrize(("fields", "message"), [
    ({"priorityClassName": "system-cluster-critical"},
     "redis.priorityClassName: system-cluster-critical is for what keeps the cluster"),
    ({"tolerations": [{"operator": "Equal"}]},
     "redis.tolerations[0]: a toleration without key must use operator Exists"),
    ({"nodeSelector": {"pool": "a b"}},
     "redis.nodeSelector.pool: label value 'a b' is invalid"),
    ({"topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 0}]},
     "redis.topologySpreadConstraints[0].maxSkew: should be greater than or equal to 1"),
    ({"topologySpreadConstraints": [{"topologyKey": "zone", "whenUnsatisfiable": "Never"}]},
     "redis.topologySpreadConstraints[0].whenUnsatisfiable:"),
])
def test_rule(fields, message):
    (line,) = refused(with_redis(**fields))
    assert line.startswith(f"{FILE}: {message}"), line
