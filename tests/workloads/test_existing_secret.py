"""redis.existingSecret: the password from a Secret the stack did not make.

Defaults first (no existing Secret: no start-up step), then what naming one
adds and takes away, the version that rolls both workloads, and each refusal.
What the start-up step does with real passwords: tests/real/test_existing_secret_startup.py.
"""

import pytest

from components.workloads.auth_startup import FILEBEAT_SCRIPT, REDIS_SCRIPT
from components.workloads.filebeat.probes import REDIS_ANSWERS
from components.workloads.redis.monitoring import redis_uri
from tests.configs import (
    PASSWORD,
    minimal,
    refused,
    render_config,
    stack_config,
    with_filebeat,
    with_redis,
)
from tests.kube_schema import validate
from tests.workloads.test_dependencies import registrations  # noqa: F401  # a fixture, used by name

EXPORTER = "oliver006/redis_exporter:v1.88.0"
RESOURCES = {"requests": {"cpu": "50m", "memory": "64Mi"},
             "limits": {"cpu": "500m", "memory": "128Mi"}}


def existing(secret: dict | None = None, **redis_fields) -> dict:
    """A config whose redis password is in Secret redis-credentials, with
    `secret`'s fields added to existingSecret and `redis_fields` to redis."""
    return with_redis(existingSecret={"name": "redis-credentials", **(secret or {})},
                      **redis_fields)


def validated(config: dict):
    from components import StackConfig

    return StackConfig.model_validate(config)


def pods(manifests) -> tuple[dict, dict]:
    """redis' pod spec and filebeat's."""
    return (manifests["Deployment"]["redis"]["spec"]["template"]["spec"],
            manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"])


def annotations(manifests) -> tuple[dict, dict]:
    return tuple(manifests[kind][name]["spec"]["template"]["metadata"]["annotations"]
                 for kind, name in (("Deployment", "redis"), ("DaemonSet", "filebeat")))


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


def test_without_a_version_nothing_rolls_the_pods_for_the_password():
    for pod_annotations in annotations(render_config(existing()).manifests):
        assert set(pod_annotations) == {"checksum/config"}


def test_bumping_the_version_rolls_redis_and_filebeat():
    first = render_config(existing({"version": "2026-11-01"})).manifests
    bumped = render_config(existing({"version": "2026-12-01"})).manifests
    assert [a["checksum/redis-auth-version"] for a in annotations(first)] == [
        "2026-11-01", "2026-11-01"]
    assert [a["checksum/redis-auth-version"] for a in annotations(bumped)] == [
        "2026-12-01", "2026-12-01"]
    # Nothing else about the pods changes: the bump rolls them, nothing more.
    for kind, name in (("Deployment", "redis"), ("DaemonSet", "filebeat")):
        before, after = first[kind][name], bumped[kind][name]
        del before["spec"]["template"]["metadata"]["annotations"]["checksum/redis-auth-version"]
        del after["spec"]["template"]["metadata"]["annotations"]["checksum/redis-auth-version"]
        assert before == after


def test_redis_rolls_before_filebeat_and_waits_for_no_secret(registrations):  # noqa: F811
    render_config(existing({"version": "1"}))
    redis_after, _ = registrations["redis"]
    filebeat_after, _ = registrations["filebeat"]
    assert {"Deployment::redis", "Service::redis"} <= filebeat_after
    assert not {dependency for dependency in redis_after | filebeat_after
                if dependency.startswith("Secret::")}


@pytest.mark.parametrize(("secret", "message"), [
    ({"key": "no/slashes"}, "redis.existingSecret.key: 'no/slashes' is not a ConfigMap or "
     "Secret key: use letters, digits, '-', '_' and '.', at most 253 characters, and not '.' "
     "or '..'"),
    ({"key": ".."}, "redis.existingSecret.key: '..' is not a ConfigMap or Secret key: use "
     "letters, digits, '-', '_' and '.', at most 253 characters, and not '.' or '..'"),
    ({"version": "two words"}, "redis.existingSecret.version: 'two words' is not a version: "
     "use 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or "
     "digit (a date, a counter, a commit)"),
    ({"version": ""}, "redis.existingSecret.version: '' is not a version: use 1 to 63 "
     "letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a date, "
     "a counter, a commit)"),
])
def test_refused_fields(secret, message):
    assert refused(existing(secret)) == [f"<render_config>: {message}"]


@pytest.mark.parametrize("key", ["no/slashes", "..", ".", "", "two words", "a" * 254])
def test_a_data_key_is_refused_as_a_config_file_name_is(key):
    """Kubernetes holds a Secret's data keys to the ConfigMap key rule: one
    rule here too, so both keys refuse the same values in the same words."""
    [secret] = refused(existing({"key": key}))
    [config_file] = refused(with_filebeat(configFiles={key: "x"}))
    message = secret.partition(" redis.existingSecret.key: ")[2]
    assert message.endswith(" is not a ConfigMap or Secret key: use letters, digits, '-', "
                            "'_' and '.', at most 253 characters, and not '.' or '..'")
    assert config_file.partition(" filebeat.configFiles: ")[2] == message


@pytest.mark.parametrize("key", ["password", "redis.conf", "KEY_NAME", "a" * 253])
def test_a_data_key_is_accepted_as_a_config_file_name_is(key):
    assert validated(existing({"key": key})).redis.existing_secret.key == key
    assert key in stack_config(with_filebeat(configFiles={key: "x"})).filebeat.config_files


def test_a_name_is_required_and_must_be_a_kubernetes_name():
    [line] = refused(with_redis(existingSecret={"key": "password"}))
    assert line == "<render_config>: redis.existingSecret.name: is required"
    [line] = refused(existing({"name": "Not_A_Name"}))
    assert line.startswith("<render_config>: redis.existingSecret.name: ")


def test_refused_together_with_redis_password():
    assert refused(existing(), secrets={"redisPassword": PASSWORD}) == [
        "<render_config>: redis.existingSecret: redis.existingSecret is set, and so is "
        "redisPassword; pick one: the stack's own secret, or a Secret someone else made"]


def test_refused_without_auth():
    config = existing()
    config["redis"]["auth"] = False
    assert refused(config) == [
        "<render_config>: redis.existingSecret: redis.existingSecret is set, but redis.auth is "
        "false, so redis would not ask for a password; remove redis.existingSecret or turn "
        "auth on"]


def test_the_missing_password_names_existing_secret_as_the_alternative():
    from components.config.errors import ConfigError
    from components.render.renderer import raw_config, render

    with pytest.raises(ConfigError) as caught:
        render(raw_config(minimal()), "test")
    assert str(caught.value).endswith(
        "or name a Secret that holds it with redis.existingSecret")


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


def test_the_components_refuse_both_sources_of_the_password():
    import pulumi

    from components import Filebeat, Redis
    from components.render.mockrun import run_with_mocks
    from components.render.renderer import raw_config

    config = validated(existing())

    def redis_with_a_password_too():
        Redis(config.redis, "default", "cluster.local", password=pulumi.Output.secret(PASSWORD))

    def filebeat_with_both():
        Filebeat(config.filebeat, "default", "redis", 6379, redis_password=PASSWORD,
                 existing_secret=config.redis.existing_secret)

    for program, message in ((redis_with_a_password_too, "give a password or an existingSecret"),
                             (filebeat_with_both, "a redis_password or an existing_secret")):
        with pytest.raises(ValueError, match=message):
            run_with_mocks(program, "test", raw_config(existing()))
