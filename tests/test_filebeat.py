"""The Filebeat component: defaults first, then one setting per test."""

import pytest

from components.testing import render_config
from tests.configs import minimal, with_filebeat


def daemon_set(config: dict, name: str = "filebeat") -> dict:
    return render_config(config).manifests["DaemonSet"][name]


def pod_spec(config: dict, name: str = "filebeat") -> dict:
    return daemon_set(config, name)["spec"]["template"]["spec"]


def test_defaults():
    ds = daemon_set(minimal())
    labels = {"app.kubernetes.io/name": "filebeat"}
    assert ds["metadata"] == {"name": "filebeat", "namespace": "default", "labels": labels}
    assert ds["spec"]["selector"] == {"matchLabels": labels}
    assert ds["spec"]["template"]["metadata"] == {"labels": labels}
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    for absent in ("minReadySeconds", "revisionHistoryLimit"):
        assert absent not in ds["spec"]
    assert "annotations" not in ds["metadata"]
    spec = ds["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["enableServiceLinks"] is False
    assert spec["priorityClassName"] == "system-node-critical"
    for absent in ("nodeSelector", "tolerations", "affinity"):
        assert absent not in spec
    assert spec["containers"] == [{
        "name": "filebeat",
        "image": "docker.elastic.co/beats/filebeat:8.15.3",
        "env": [
            {"name": "REDIS_HOST", "value": "redis.default.svc.cluster.local"},
            {"name": "REDIS_PORT", "value": "6379"},
        ],
        "volumeMounts": [
            {"name": "registry", "mountPath": "/usr/share/filebeat/data", "readOnly": False},
        ],
    }]
    assert spec["volumes"] == [
        {"name": "registry",
         "hostPath": {"path": "/var/lib/filebeat-data", "type": "DirectoryOrCreate"}},
    ]


def test_registry_can_move_or_stay_in_the_pod():
    moved = pod_spec(with_filebeat(registryHostPath="/data/fb", registryMountPath="/fb"))
    assert moved["volumes"][0]["hostPath"]["path"] == "/data/fb"
    assert moved["containers"][0]["volumeMounts"][0]["mountPath"] == "/fb"
    in_pod = pod_spec(with_filebeat(registryHostPath=None))
    assert "volumes" not in in_pod and "volumeMounts" not in in_pod["containers"][0]


def test_priority_class_can_change_or_go():
    assert pod_spec(with_filebeat(priorityClassName="logging"))["priorityClassName"] == "logging"
    assert "priorityClassName" not in pod_spec(with_filebeat(priorityClassName=None))


@pytest.mark.parametrize(("stack", "host"), [
    ({}, "redis.default.svc.cluster.local"),
    ({"namespace": "logging"}, "redis.logging.svc.cluster.local"),
    ({"clusterDomain": "k8s.example.org"}, "redis.default.svc.k8s.example.org"),
    ({"redis": {"image": "r", "name": "buffer"}}, "buffer.default.svc.cluster.local"),
])
def test_redis_host_is_derived_from_the_service(stack, host):
    config = minimal() | stack
    out = render_config(config)
    env = out.manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "REDIS_HOST", "value": host}
    assert out.outputs["redisHost"] == host
    service = next(iter(out.manifests["Service"].values()))
    name, namespace = service["metadata"]["name"], service["metadata"]["namespace"]
    assert host.startswith(f"{name}.{namespace}.svc.")


def test_redis_port_follows_the_service_port():
    config = minimal()
    config["redis"]["port"] = 7777
    env = pod_spec(config)["containers"][0]["env"]
    assert {"name": "REDIS_PORT", "value": "7777"} in env


def test_env_comes_after_the_derived_pair_sorted_by_name():
    # Sorted as the Pulumi CLI hands object config over (JSON with sorted
    # keys), so a render and a deploy agree on the order.
    env = pod_spec(with_filebeat(env={"ZED": "z", "ALPHA": "a"}))["containers"][0]["env"]
    assert [e["name"] for e in env] == ["REDIS_HOST", "REDIS_PORT", "ALPHA", "ZED"]


def test_name_container_name_and_labels():
    ds = daemon_set(with_filebeat(name="shipper", containerName="beat",
                                  labels={"app": "filebeat", "release": "stable"}), "shipper")
    assert ds["spec"]["selector"]["matchLabels"] == {"app": "filebeat", "release": "stable"}
    assert ds["spec"]["template"]["metadata"]["labels"] == {"app": "filebeat", "release": "stable"}
    assert ds["spec"]["template"]["spec"]["containers"][0]["name"] == "beat"


def test_args():
    assert pod_spec(with_filebeat(args=["-e", "-d", "*"]))["containers"][0]["args"] == ["-e", "-d", "*"]


def test_node_selector():
    assert pod_spec(with_filebeat(nodeSelector={"disktype": "ssd"}))["nodeSelector"] == {
        "disktype": "ssd"}


def test_tolerations():
    tolerations = [
        {"operator": "Exists"},
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
         "effect": "NoSchedule"},
        {"key": "dedicated", "value": "logging", "effect": "NoExecute", "tolerationSeconds": 60},
    ]
    rendered = pod_spec(with_filebeat(tolerations=tolerations))["tolerations"]
    assert rendered == [
        {"operator": "Exists"},
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
         "effect": "NoSchedule"},
        {"key": "dedicated", "operator": "Equal", "value": "logging", "effect": "NoExecute",
         "tolerationSeconds": 60},
    ]


def test_resources_accept_numbers_as_kubernetes_does():
    container = pod_spec(with_filebeat(resources={"requests": {"cpu": 0.5}, "limits": {"cpu": 2}}))[
        "containers"][0]
    assert container["resources"] == {"requests": {"cpu": "0.5"}, "limits": {"cpu": "2"}}


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
    assert out.manifests.items[0].body == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "logging"}}
    assert {m.namespace for m in out.manifests.items[1:]} == {"logging"}


def test_no_namespace_object_by_default():
    assert "Namespace" not in render_config(minimal() | {"namespace": "logging"}).manifests
