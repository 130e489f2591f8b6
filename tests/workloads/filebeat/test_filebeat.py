"""The Filebeat component's DaemonSet: defaults first, then one setting per test.

What the stack holds beside it is in test_filebeat_stack.py, and what a program
adds to its pods in test_filebeat_pod_additions.py."""

import pytest

from components.workloads.filebeat.probes import REDIS_ANSWERS
from tests.configs import minimal, render_config, with_filebeat


def daemon_set(config: dict, name: str = "filebeat") -> dict:
    return render_config(config).manifests["DaemonSet"][name]


def pod_spec(config: dict, name: str = "filebeat") -> dict:
    return daemon_set(config, name)["spec"]["template"]["spec"]


GENERATED_ARGS = ["-c", "/etc/filebeat/filebeat.yml", "-c", "/etc/filebeat-auth/output-auth.yml",
                  "-e"]
WAIVED = {"CKV_K8S_23", "CKV_K8S_40", "CKV_K8S_38", "CKV_K8S_43"}


def waived(ds: dict) -> set[str]:
    return {v.split("=", 1)[0] for k, v in ds["metadata"].get("annotations", {}).items()
            if k.startswith("checkov.io/skip")}


def test_defaults():
    ds = daemon_set(minimal())
    selector = {"app.kubernetes.io/name": "filebeat"}
    labels = {**selector, "app.kubernetes.io/instance": "test",
              "app.kubernetes.io/managed-by": "pulumi",
              "app.kubernetes.io/part-of": "redis-filebeat"}
    assert {k: v for k, v in ds["metadata"].items() if k != "annotations"} == {
        "name": "filebeat", "namespace": "default", "labels": labels}
    assert waived(ds) == WAIVED
    assert ds["spec"]["selector"] == {"matchLabels": selector}
    assert ds["spec"]["template"]["metadata"]["labels"] == labels
    assert set(ds["spec"]["template"]["metadata"]["annotations"]) == {
        "checksum/config", "checksum/redis-auth"}
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    for absent in ("minReadySeconds", "revisionHistoryLimit"):
        assert absent not in ds["spec"]
    spec = ds["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["enableServiceLinks"] is False
    assert spec["priorityClassName"] == "system-node-critical"
    assert spec["serviceAccountName"] == "filebeat"
    assert spec["automountServiceAccountToken"] is True
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["securityContext"] == {"runAsUser": 0,
                                       "seccompProfile": {"type": "RuntimeDefault"}}
    for absent in ("nodeSelector", "tolerations", "affinity", "hostNetwork", "hostPID"):
        assert absent not in spec
    (container,) = spec["containers"]
    probes = {k: container.pop(k) for k in ("livenessProbe", "readinessProbe")}
    assert container == {
        "name": "filebeat",
        "image": "docker.elastic.co/beats/filebeat:8.15.3",
        "args": GENERATED_ARGS,
        "env": [
            {"name": "REDIS_HOST", "value": "redis.default.svc.cluster.local"},
            {"name": "REDIS_PORT", "value": "6379"},
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        ],
        "securityContext": {
            "allowPrivilegeEscalation": False, "privileged": False,
            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}, "runAsUser": 0,
        },
        "volumeMounts": [
            {"name": "var-log", "mountPath": "/var/log", "readOnly": True},
            {"name": "var-lib-docker-containers", "mountPath": "/var/lib/docker/containers",
             "readOnly": True},
            {"name": "registry", "mountPath": "/usr/share/filebeat/data"},
            {"name": "config", "mountPath": "/etc/filebeat", "readOnly": True},
            # File by file (subPath): the kubelet never updates them, so the
            # probe sends the password filebeat started with (auth_mounts).
            {"name": "redis-auth", "mountPath": "/etc/filebeat-auth/output-auth.yml",
             "subPath": "output-auth.yml", "readOnly": True},
            {"name": "redis-auth", "mountPath": "/etc/filebeat-auth/password",
             "subPath": "password", "readOnly": True},
        ],
    }
    assert probes["readinessProbe"]["exec"]["command"] == [
        "bash", "-c", REDIS_ANSWERS, "redis-answers", "/etc/filebeat-auth/password"]
    assert probes["livenessProbe"]["exec"]["command"][-1] == "http://127.0.0.1:5066/"
    assert spec["volumes"] == [
        {"name": "var-log", "hostPath": {"path": "/var/log"}},
        {"name": "var-lib-docker-containers", "hostPath": {"path": "/var/lib/docker/containers"}},
        {"name": "registry",
         "hostPath": {"path": "/var/lib/redis-filebeat/default/filebeat",
                      "type": "DirectoryOrCreate"}},
        {"name": "config", "configMap": {"name": "filebeat-config"}},
        {"name": "redis-auth", "secret": {"secretName": "filebeat-redis-auth",
                                          "defaultMode": 0o400}},
    ]


def test_the_registry_is_qualified_by_namespace_and_name():
    # Elastic's manifest uses /var/lib/filebeat-data: a second filebeat on the
    # node would find that registry locked.
    paths = {
        (namespace, name): [v["hostPath"]["path"] for v in pod_spec(
            with_filebeat(name=name) | {"namespace": namespace}, name)["volumes"]
            if v["name"] == "registry"]
        for namespace, name in [("logging", "filebeat"), ("logging", "fb2"), ("team-a", "fb2")]
    }
    assert paths == {("logging", "filebeat"): ["/var/lib/redis-filebeat/logging/filebeat"],
                     ("logging", "fb2"): ["/var/lib/redis-filebeat/logging/fb2"],
                     ("team-a", "fb2"): ["/var/lib/redis-filebeat/team-a/fb2"]}


def test_registry_can_move_or_stay_in_the_pod():
    moved = pod_spec(with_filebeat(registryHostPath="/data/fb", registryMountPath="/fb"))
    registry = [v for v in moved["volumes"] if v["name"] == "registry"]
    assert registry == [{"name": "registry",
                         "hostPath": {"path": "/data/fb", "type": "DirectoryOrCreate"}}]
    assert {"name": "registry", "mountPath": "/fb"} in moved[
        "containers"][0]["volumeMounts"]
    # In the pod: read-only root, so the registry gets a pod-lifetime directory.
    in_pod = pod_spec(with_filebeat(registryHostPath=None))
    assert {"name": "registry", "emptyDir": {}} in in_pod["volumes"]
    # And the image's own filesystem, when that is writable.
    writable = pod_spec(with_filebeat(registryHostPath=None, readOnlyRootFilesystem=False))
    assert all(v["name"] != "registry" for v in writable["volumes"])


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
    assert [e["name"] for e in env] == ["REDIS_HOST", "REDIS_PORT", "NODE_NAME", "ALPHA", "ZED"]


def test_name_container_name_and_labels():
    ds = daemon_set(with_filebeat(name="shipper", containerName="beat",
                                  labels={"app": "filebeat", "release": "stable"}), "shipper")
    assert ds["spec"]["selector"]["matchLabels"] == {"app": "filebeat", "release": "stable"}
    assert ds["spec"]["template"]["metadata"]["labels"] == {
        "app": "filebeat", "release": "stable", "app.kubernetes.io/name": "shipper",
        "app.kubernetes.io/instance": "test", "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "redis-filebeat"}
    assert ds["spec"]["template"]["spec"]["containers"][0]["name"] == "beat"


def test_args_follow_the_generated_ones():
    args = pod_spec(with_filebeat(args=["-d", "*"]))["containers"][0]["args"]
    assert args == [*GENERATED_ARGS, "-d", "*"]


def test_args_alone_with_the_images_own_config():
    args = pod_spec(with_filebeat(generateConfig=False, args=["-e", "-d", "*"]))["containers"][0][
        "args"]
    assert args == ["-e", "-d", "*"]


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
