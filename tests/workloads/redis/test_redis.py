"""The Redis component: defaults first, then one setting per test."""

from tests.configs import minimal, render_config, with_redis


def test_defaults():
    out = render_config(minimal())
    deployment = out.manifests["Deployment"]["redis"]
    service = out.manifests["Service"]["redis"]
    selector = {"app.kubernetes.io/name": "redis"}
    labels = {**selector, "app.kubernetes.io/instance": "test",
              "app.kubernetes.io/managed-by": "pulumi",
              "app.kubernetes.io/part-of": "redis-filebeat"}

    assert deployment["metadata"] == {
        "name": "redis", "namespace": "default", "labels": labels,
        "annotations": {"checkov.io/skip1": "CKV_K8S_43=no digest is configured yet; set "
                        "imageDigest once it has been looked up in the registry",
                        "pulumi.com/patchForce": "true"}}
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["selector"] == {"matchLabels": selector}
    assert "strategy" not in deployment["spec"]
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["labels"] == labels
    assert set(pod["metadata"]["annotations"]) == {"checksum/config", "checksum/redis-auth"}
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False
    assert spec["securityContext"] == {
        "runAsUser": 10001, "runAsGroup": 10001, "runAsNonRoot": True, "fsGroup": 10001,
        "fsGroupChangePolicy": "OnRootMismatch", "seccompProfile": {"type": "RuntimeDefault"}}
    (container,) = spec["containers"]
    probes = {k: container.pop(k) for k in ("livenessProbe", "readinessProbe")}
    assert container == {
        "name": "redis",
        "image": "redis:7.4-alpine",
        "command": ["redis-server"],
        "args": ["/etc/redis/redis.conf"],
        "ports": [{"name": "redis", "containerPort": 6379}],
        "securityContext": {
            "allowPrivilegeEscalation": False, "privileged": False,
            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
            "runAsUser": 10001, "runAsNonRoot": True},
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/redis", "readOnly": True},
            {"name": "data", "mountPath": "/data"},
            # One file each, as the container started: the probes send the
            # password redis read, not a rotated Secret's.
            {"name": "auth", "mountPath": "/etc/redis-auth/password", "readOnly": True,
             "subPath": "password"},
            {"name": "auth", "mountPath": "/etc/redis-auth/auth.conf", "readOnly": True,
             "subPath": "auth.conf"},
        ],
    }
    assert spec["volumes"] == [
        {"name": "config", "configMap": {"name": "redis-config"}},
        {"name": "data", "emptyDir": {}},
        {"name": "auth", "secret": {"secretName": "redis-auth", "defaultMode": 0o440}},
    ]
    ping = 'REDISCLI_AUTH="$(cat /etc/redis-auth/password)" redis-cli -p 6379 ping | grep -qE'
    assert probes["readinessProbe"]["exec"]["command"] == ["sh", "-c", f"{ping} '^(PONG$)'"]
    assert probes["livenessProbe"]["exec"]["command"] == [
        "sh", "-c", f"{ping} '^(PONG$|LOADING)'"]
    assert service["spec"] == {
        "type": "ClusterIP",
        "selector": selector,
        "ports": [{"name": "redis", "port": 6379, "targetPort": 6379, "protocol": "TCP"}],
    }
    assert "PersistentVolumeClaim" not in out.manifests


def test_service_selects_exactly_the_deployments_pods():
    out = render_config(with_redis(labels={"app": "redis", "role": "logstor"}))
    deployment = out.manifests["Deployment"]["redis"]
    service = out.manifests["Service"]["redis"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]

    selector = {"app": "redis", "role": "logstor"}
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"] == selector
    assert selector.items() <= pod_labels.items()
    # Nothing else in the stack carries labels the Service would match.
    daemon_pod = out.manifests["DaemonSet"]["filebeat"]["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= daemon_pod.items()


def test_name_names_deployment_service_and_host():
    out = render_config(with_redis(name="logbuffer"))
    assert set(out.manifests["Deployment"]) == {"logbuffer"}
    assert set(out.manifests["Service"]) == {"logbuffer"}
    assert out.outputs["redisHost"] == "logbuffer.default.svc.cluster.local"


def test_labels_default_to_the_name():
    out = render_config(with_redis(name="logbuffer"))
    assert out.manifests["Service"]["logbuffer"]["spec"]["selector"] == {
        "app.kubernetes.io/name": "logbuffer"}


def test_replicas():
    out = render_config(with_redis(replicas=0))
    assert out.manifests["Deployment"]["redis"]["spec"]["replicas"] == 0


def test_port_and_container_port():
    out = render_config(with_redis(port=6380, containerPort=7000))
    service = out.manifests["Service"]["redis"]
    container = out.manifests["Deployment"]["redis"]["spec"]["template"]["spec"]["containers"][0]
    assert service["spec"]["ports"][0]["port"] == 6380
    assert service["spec"]["ports"][0]["targetPort"] == 7000
    assert container["ports"] == [{"name": "redis", "containerPort": 7000}]
    assert out.outputs["redisPort"] == 6380


def test_image_pull_policy_and_resources():
    out = render_config(with_redis(
        imagePullPolicy="Always",
        resources={"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": 1}},
    ))
    container = out.manifests["Deployment"]["redis"]["spec"]["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1"}}


def test_no_pull_policy_or_resources_unless_set():
    container = render_config(minimal()).manifests["Deployment"]["redis"]["spec"][
        "template"]["spec"]["containers"][0]
    assert "imagePullPolicy" not in container
    assert "resources" not in container
