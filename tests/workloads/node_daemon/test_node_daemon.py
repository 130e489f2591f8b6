"""What the node-daemon layer adds: rollouts Pulumi can finish, node choice,
and the two rollout traps Kubernetes accepts but never completes."""

import pytest

from tests.configs import refused, render_config, with_filebeat

FILE = "<render_config>"


def daemon_set(**fields) -> dict:
    return render_config(with_filebeat(**fields)).manifests["DaemonSet"]["filebeat"]


def refusal(**fields) -> str:
    lines = refused(with_filebeat(**fields))
    assert len(lines) == 1, lines
    return lines[0]


def pulumi_annotations(ds: dict) -> dict:
    """What tells Pulumi how to wait: patchForce is every object's
    (tests/workloads/test_ownership.py)."""
    return {k: v for k, v in ds["metadata"].get("annotations", {}).items()
            if k.startswith("pulumi.com/") and k != "pulumi.com/patchForce"}


def test_on_delete_skips_pulumis_rollout_wait():
    ds = daemon_set(updateStrategy={"type": "OnDelete"})
    assert pulumi_annotations(ds) == {"pulumi.com/skipAwait": "true"}


def test_rolling_update_keeps_the_wait_and_can_bound_it():
    assert pulumi_annotations(daemon_set()) == {}
    ds = daemon_set(rolloutTimeoutSeconds=1800)
    assert pulumi_annotations(ds) == {"pulumi.com/timeoutSeconds": "1800"}


def test_min_ready_seconds_and_revision_history_limit():
    spec = daemon_set(minReadySeconds=10, revisionHistoryLimit=3)["spec"]
    assert (spec["minReadySeconds"], spec["revisionHistoryLimit"]) == (10, 3)


def test_tolerate_all_taints():
    spec = daemon_set(tolerateAllTaints=True)["spec"]["template"]["spec"]
    assert spec["tolerations"] == [{"operator": "Exists"}]


def test_tolerate_all_taints_keeps_listed_tolerations():
    spec = daemon_set(tolerateAllTaints=True,
                      tolerations=[{"key": "a", "operator": "Exists"}])["spec"]["template"]["spec"]
    assert spec["tolerations"] == [{"key": "a", "operator": "Exists"}, {"operator": "Exists"}]


def test_node_affinity():
    affinity = {
        "requiredTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]},
            {"key": "node.example.com/no-logs", "operator": "DoesNotExist"},
        ]}],
        "preferredTerms": [{"weight": 10, "matchExpressions": [
            {"key": "disk", "operator": "In", "values": ["ssd"]}]}],
    }
    spec = daemon_set(nodeAffinity=affinity)["spec"]["template"]["spec"]
    assert spec["affinity"] == {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [
                {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]},
                {"key": "node.example.com/no-logs", "operator": "DoesNotExist"},
            ]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [
                {"key": "disk", "operator": "In", "values": ["ssd"]}]}}],
    }}


def test_host_port():
    container = daemon_set(ports=[{"name": "metrics", "containerPort": 5066, "hostPort": 5066}])[
        "spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [
        {"name": "metrics", "containerPort": 5066, "hostPort": 5066, "protocol": "TCP"}]


def test_surge_with_a_host_port_is_refused():
    assert refusal(
        registryHostPath=None,
        ports=[{"name": "metrics", "containerPort": 5066, "hostPort": 5066}],
        updateStrategy={"maxUnavailable": 0, "maxSurge": 1},
    ) == (
        f"{FILE}: filebeat.updateStrategy.maxSurge: updateStrategy.maxSurge cannot be combined "
        "with ports[].hostPort (5066): the surge pod needs the same host port on the same "
        "node, so it never schedules and the rollout hangs; use maxSurge 0")


def test_surge_is_fine_with_a_port_that_is_not_on_the_host():
    ds = daemon_set(registryHostPath=None, ports=[{"name": "metrics", "containerPort": 5066}],
                    updateStrategy={"maxUnavailable": 0, "maxSurge": "10%"})
    assert ds["spec"]["updateStrategy"]["rollingUpdate"]["maxSurge"] == "10%"


def test_surge_with_filebeats_registry_is_refused():
    assert refusal(updateStrategy={"maxUnavailable": 0, "maxSurge": 1}) == (
        f"{FILE}: filebeat.updateStrategy.maxSurge: updateStrategy.maxSurge cannot be used with "
        "registryHostPath (/var/lib/redis-filebeat/default/filebeat): the old and the new pod "
        "would share that state on one node, the new one refuses to start, and the rollout "
        "never completes; use maxSurge 0")


def test_surge_with_any_shared_host_path_is_refused():
    assert "hostPaths[].sharedState (/var/lib/agent)" in refusal(
        registryHostPath=None,
        hostPaths=[{"name": "state", "path": "/var/lib/agent", "readOnly": False,
                    "sharedState": True}],
        updateStrategy={"maxUnavailable": 0, "maxSurge": 1})


def test_read_only_host_paths_do_not_block_surge():
    ds = daemon_set(registryHostPath=None, generateConfig=False, readOnlyRootFilesystem=False,
                    hostPaths=[{"name": "varlog", "path": "/var/log"}],
                    updateStrategy={"maxUnavailable": 0, "maxSurge": 1})
    spec = ds["spec"]["template"]["spec"]
    assert [v for v in spec["volumes"] if "hostPath" in v] == [
        {"name": "varlog", "hostPath": {"path": "/var/log"}}]
    assert spec["containers"][0]["volumeMounts"][0] == {
        "name": "varlog", "mountPath": "/var/log", "readOnly": True}


@pytest.mark.parametrize(("fields", "message"), [
    ({"updateStrategy": {"type": "OnDelete"}, "rolloutTimeoutSeconds": 60},
     "filebeat.rolloutTimeoutSeconds: rolloutTimeoutSeconds does nothing with updateStrategy "
     "OnDelete"),
    ({"nodeAffinity": {"requiredTerms": [{"matchExpressions": [
        {"key": "a", "operator": "In"}]}]}},
     "filebeat.nodeAffinity.requiredTerms[0].matchExpressions[0]: operator In needs at least "
     "one value"),
    ({"nodeAffinity": {"requiredTerms": [{"matchExpressions": [
        {"key": "a", "operator": "Exists", "values": ["x"]}]}]}},
     "filebeat.nodeAffinity.requiredTerms[0].matchExpressions[0]: operator Exists takes no values"),
    ({"nodeAffinity": {"requiredTerms": [{"matchExpressions": [
        {"key": "a", "operator": "Gt", "values": ["x"]}]}]}},
     "filebeat.nodeAffinity.requiredTerms[0].matchExpressions[0]: operator Gt takes exactly one "
     "integer value"),
    ({"nodeAffinity": {"preferredTerms": [{"weight": 0, "matchExpressions": [
        {"key": "a", "operator": "Exists"}]}]}},
     "filebeat.nodeAffinity.preferredTerms[0].weight: should be greater than or equal to 1"),
    ({"minReadySeconds": -1}, "filebeat.minReadySeconds: should be greater than or equal to 0"),
    ({"priorityClassName": "Critical"}, "filebeat.priorityClassName: 'Critical' is not a DNS-1123"),
    ({"hostPaths": [{"name": "x", "path": "var/log"}]},
     "filebeat.hostPaths[0].path: 'var/log' is not an absolute path"),
])
def test_rule(fields, message):
    assert refusal(**fields).startswith(f"{FILE}: {message}")


def test_an_on_delete_stack_file_renders_with_skip_await(tmp_path):
    import yaml

    from components.render.renderer import render_stack_file

    stack = tmp_path / "Pulumi.manual.yaml"
    stack.write_text(yaml.safe_dump({"config": {
        "redis-filebeat:redis": {"image": "redis:7.4-alpine"},
        "redis-filebeat:filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3",
                                    "updateStrategy": {"type": "OnDelete"}},
    }}))
    ds = render_stack_file(stack).manifests["DaemonSet"]["filebeat"]
    assert ds["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"
    assert ds["spec"]["updateStrategy"] == {"type": "OnDelete"}


def test_any_per_node_agent_can_be_built_on_node_daemon():
    """The generic component, used for something that is not filebeat."""
    from components.config.kube.daemon import NodeDaemonConfig
    from components.workloads.node_daemon.component import NodeDaemon
    from components.workloads.program import main

    def program():
        main()
        NodeDaemon(NodeDaemonConfig(
            name="node-exporter", image="quay.io/prometheus/node-exporter:v1.8.2",
            args=["--path.rootfs=/host"],
            host_paths=[{"name": "root", "path": "/", "mount_path": "/host"}],
            ports=[{"name": "metrics", "container_port": 9100}],
            expose="hostPort", tolerate_all_taints=True,
        ), "monitoring")

    manifests = render_config(with_filebeat(), program=program).manifests
    ds = manifests["DaemonSet"]["node-exporter"]
    spec = ds["spec"]["template"]["spec"]
    assert ds["metadata"]["namespace"] == "monitoring"
    assert spec["containers"][0]["ports"] == [
        {"name": "metrics", "containerPort": 9100, "hostPort": 9100, "protocol": "TCP"}]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": "root", "mountPath": "/host", "readOnly": True}]
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert "priorityClassName" not in spec  # only filebeat defaults to node-critical
    assert set(manifests["DaemonSet"]) == {"filebeat", "node-exporter"}
