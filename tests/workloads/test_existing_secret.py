"""redis.existingSecret: the password from a Secret the stack did not make.

Defaults first (no existing Secret: no start-up step), then what naming one
adds and takes away: the start-up step in each pod, hardened and pinned like
its workload, for each node class. The version that rolls both workloads is in
test_existing_secret_version.py, each refusal in test_existing_secret_refusals.py.
What the start-up step does with real passwords: tests/real/test_existing_secret_startup.py,
and with those it must refuse: tests/real/test_existing_secret_startup_refusals.py.
"""

from components.workloads.auth_startup import FILEBEAT_SCRIPT, REDIS_SCRIPT
from components.workloads.filebeat.probes import REDIS_ANSWERS
from components.workloads.redis.monitoring import redis_uri
from tests.configs import PASSWORD, minimal, render_config, stack_config
from tests.kube_schema import validate
from tests.workloads.existing_secret import annotations, existing, validated

EXPORTER = "oliver006/redis_exporter:v1.88.0"
RESOURCES = {"requests": {"cpu": "50m", "memory": "64Mi"},
             "limits": {"cpu": "500m", "memory": "128Mi"}}


def pods(manifests) -> tuple[dict, dict]:
    """redis' pod spec and filebeat's."""
    return (manifests["Deployment"]["redis"]["spec"]["template"]["spec"],
            manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"])


def volumes(pod: dict) -> dict[str, dict]:
    return {v["name"]: v for v in pod["volumes"]}


def mounts(container: dict) -> dict[str, dict]:
    return {m["name"]: m for m in container["volumeMounts"]}


def test_defaults():
    config = validated(existing())
    assert config.redis.existing_secret is not None
    assert config.redis.existing_secret.key == "password"
    assert config.redis.existing_secret.version is None
    assert stack_config(minimal()).redis.existing_secret is None


def test_without_it_there_is_no_start_up_step():
    manifests = render_config(minimal()).manifests
    for pod in pods(manifests):
        assert "initContainers" not in pod
        assert not [v for v in pod["volumes"] if "emptyDir" in v and v["emptyDir"]]
    assert set(manifests["Secret"]) == {"redis-auth", "filebeat-redis-auth"}
    assert "include /etc/redis-auth/auth.conf\n" in (
        manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"])


def test_adding_it_makes_no_secret_and_no_password_reaches_the_render():
    out = render_config(existing())
    assert "Secret" not in out.manifests
    text = out.manifests.to_yaml()
    assert "[secret]" not in text and PASSWORD not in text
    for pod_annotations in annotations(out.manifests):
        assert "checksum/redis-auth" not in pod_annotations


def test_redis_reads_auth_conf_from_the_start_up_step():
    manifests = render_config(existing(resources=RESOURCES)).manifests
    pod, _ = pods(manifests)
    source, files = volumes(pod)["existing-auth"], volumes(pod)["auth-files"]
    # Only the one key, as the file name the step reads.
    assert source == {"name": "existing-auth", "secret": {
        "secretName": "redis-credentials", "defaultMode": 0o440,
        "items": [{"key": "password", "path": "password"}]}}
    assert files == {"name": "auth-files", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}
    [init] = pod["initContainers"]
    redis = pod["containers"][0]
    assert init["name"] == "redis-auth"
    assert init["command"] == ["sh", "-c", REDIS_SCRIPT, "redis-auth"]
    assert init["args"] == ["redis-credentials", "password", "/etc/redis-auth/password",
                            "/run/redis-auth/auth.conf", "/run/redis-auth/password",
                            "on ~* &* +@all -flushall -flushdb -swapdb -migrate -config -acl "
                            "-module -debug -replicaof -slaveof -shutdown -keys -monitor"]
    assert mounts(init) == {
        "existing-auth": {"name": "existing-auth", "mountPath": "/etc/redis-auth",
                          "readOnly": True},
        "auth-files": {"name": "auth-files", "mountPath": "/run/redis-auth"}}
    # redis never mounts the Secret itself: only what the step wrote, read-only.
    assert mounts(redis)["auth-files"] == {"name": "auth-files", "mountPath": "/run/redis-auth",
                                           "readOnly": True}
    assert "existing-auth" not in mounts(redis)
    conf = manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"]
    assert conf.endswith("\ninclude /run/redis-auth/auth.conf\n")
    assert "/etc/redis-auth" not in conf


def test_the_probes_send_the_password_redis_started_with():
    pod, _ = pods(render_config(existing()).manifests)
    redis = pod["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        command = redis[probe]["exec"]["command"]
        assert command[:2] == ["sh", "-c"]
        assert command[2].startswith('REDISCLI_AUTH="$(cat /run/redis-auth/password)" redis-cli')


def test_the_start_up_steps_are_hardened_like_their_workloads():
    config = existing(resources=RESOURCES)
    config["filebeat"]["resources"] = RESOURCES
    redis_pod, filebeat_pod = pods(render_config(config).manifests)
    for pod in (redis_pod, filebeat_pod):
        [init] = pod["initContainers"]
        main = pod["containers"][0]
        # The workload's own image, so nothing new is pulled.
        assert init["image"] == main["image"]
        assert init.get("imagePullPolicy") == main.get("imagePullPolicy")
        assert init["resources"] == main["resources"]
        assert init["securityContext"]["readOnlyRootFilesystem"] is True
        assert init["securityContext"] == main["securityContext"] | {
            "readOnlyRootFilesystem": True}
        # No env: Kubernetes expands $(NAME) in a command only from the
        # container's env, so the scripts' $(...) reach the shell as written.
        assert "env" not in init
    assert redis_pod["initContainers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False, "privileged": False,
        "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
        "runAsUser": 10001, "runAsNonRoot": True}
    assert redis_pod["initContainers"][0]["resources"] == RESOURCES
    assert filebeat_pod["initContainers"][0]["resources"] == RESOURCES


def test_the_start_up_steps_use_a_pinned_image_as_their_workloads_do():
    digest = "sha256:" + "ab" * 32
    config = existing(imageDigest=digest)
    config["filebeat"]["imageDigest"] = "sha256:" + "cd" * 32
    redis_pod, filebeat_pod = pods(render_config(config).manifests)
    assert redis_pod["initContainers"][0]["image"] == f"redis:7.4-alpine@{digest}"
    assert filebeat_pod["initContainers"][0]["image"] == filebeat_pod["containers"][0]["image"]
    assert "@sha256:cdcd" in filebeat_pod["initContainers"][0]["image"]


def test_the_scripts_hold_nothing_kubernetes_would_expand():
    # `$$` would reach the shell as `$`; $(NAME) only with an env, which they lack.
    for script in (REDIS_SCRIPT, FILEBEAT_SCRIPT):
        assert "$$" not in script


def test_filebeat_reads_its_fragment_from_the_start_up_step():
    _, pod = pods(render_config(existing()).manifests)
    source, files = volumes(pod)["existing-redis-auth"], volumes(pod)["redis-auth-files"]
    assert source["secret"] == {"secretName": "redis-credentials", "defaultMode": 0o400,
                                "items": [{"key": "password", "path": "password"}]}
    assert files["emptyDir"] == {"medium": "Memory", "sizeLimit": "1Mi"}
    assert "redis-auth" not in volumes(pod)  # our own Secret's volume
    [init] = pod["initContainers"]
    filebeat = pod["containers"][0]
    assert init["name"] == "redis-auth"
    assert init["command"] == ["sh", "-c", FILEBEAT_SCRIPT, "redis-auth"]
    assert init["args"] == ["redis-credentials", "password", "/etc/redis-auth/password",
                            "/run/filebeat-auth/output-auth.yml", "/run/filebeat-auth/password"]
    assert set(mounts(init)) == {"existing-redis-auth", "redis-auth-files"}
    assert "readOnly" not in mounts(init)["redis-auth-files"]
    # Only the init container mounts the Secret: filebeat and its readiness
    # probe read the step's copies, the password this pod started with, not
    # the Secret's, which the kubelet rewrites in place when it changes.
    assert mounts(filebeat)["redis-auth-files"] == {
        "name": "redis-auth-files", "mountPath": "/run/filebeat-auth", "readOnly": True}
    assert "existing-redis-auth" not in mounts(filebeat)
    assert filebeat["args"] == ["-c", "/etc/filebeat/filebeat.yml",
                                "-c", "/run/filebeat-auth/output-auth.yml", "-e"]
    assert filebeat["readinessProbe"]["exec"]["command"] == [
        "bash", "-c", REDIS_ANSWERS, "redis-answers", "/run/filebeat-auth/password"]
    # No password by env var, which filebeat would expand and parse.
    assert {e["name"] for e in filebeat["env"]} == {"REDIS_HOST", "REDIS_PORT", "NODE_NAME"}


def test_a_key_of_its_own_is_the_one_mounted():
    redis_pod, filebeat_pod = pods(render_config(existing({"key": "redis-password"})).manifests)
    assert volumes(redis_pod)["existing-auth"]["secret"]["items"] == [
        {"key": "redis-password", "path": "password"}]
    assert volumes(filebeat_pod)["existing-redis-auth"]["secret"]["items"] == [
        {"key": "redis-password", "path": "password"}]
    assert redis_pod["initContainers"][0]["args"][:2] == ["redis-credentials", "redis-password"]


def test_with_monitoring_the_step_writes_the_exporters_file():
    config = existing(resources={"limits": {"memory": "256Mi"}}, monitoring={
        "enabled": True, "image": EXPORTER, "scraperNamespace": "monitoring"})
    pod, _ = pods(render_config(config).manifests)
    [init] = pod["initContainers"]
    redis, exporter = pod["containers"]
    assert init["args"][-2:] == ["/run/redis-auth/exporter-passwords.json",
                                 redis_uri(validated(config).redis)]
    assert "--redis.password-file=/run/redis-auth/exporter-passwords.json" in exporter["args"]
    assert mounts(exporter) == {"auth-files": {"name": "auth-files",
                                               "mountPath": "/run/redis-auth", "readOnly": True}}


def test_with_no_denials_the_rules_argument_is_empty():
    pod, _ = pods(render_config(existing(deniedCommands=[])).manifests)
    assert pod["initContainers"][0]["args"][5] == ""


def test_without_monitoring_no_exporter_file():
    pod, _ = pods(render_config(existing()).manifests)
    assert len(pod["initContainers"][0]["args"]) == 6
    assert "exporter-passwords.json" not in str(pod)


def test_every_object_fits_its_schema():
    config = existing({"version": "2026-12-01"}, resources={"limits": {"memory": "256Mi"}},
                      monitoring={"enabled": True, "image": EXPORTER,
                                  "scraperNamespace": "monitoring"})
    for manifest in render_config(config).manifests.objects:
        validate(manifest.body)


def test_each_node_class_runs_the_step_with_its_own_resources():
    config = existing()
    config["filebeat"] |= {
        "resources": {"requests": {"cpu": "100m"}},
        "nodeClasses": {
            "big": {"nodeSelector": {"node.kubernetes.io/instance-type": "m5.4xlarge"},
                    "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}},
            "small": {"nodeSelector": {"node.kubernetes.io/instance-type": "t3.medium"}}}}
    daemon_sets = render_config(config).manifests["DaemonSet"]
    for name in ("filebeat-big", "filebeat-small"):
        pod = daemon_sets[name]["spec"]["template"]["spec"]
        [init] = pod["initContainers"]
        assert init["resources"] == pod["containers"][0]["resources"]
        assert daemon_sets[name]["spec"]["template"]["metadata"]["annotations"].get(
            "checksum/redis-auth-version") is None
    assert daemon_sets["filebeat-big"]["spec"]["template"]["spec"]["initContainers"][0][
        "resources"] != daemon_sets["filebeat-small"]["spec"]["template"]["spec"][
        "initContainers"][0]["resources"]
