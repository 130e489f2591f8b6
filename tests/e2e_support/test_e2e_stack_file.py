"""The stack the e2e suite deploys, and what it reads from that stack's render:
the commands it runs, the change it predicts, and the rollout suite's stacks."""

from pathlib import Path

import yaml

from components.render.renderer import render_stack_file
from tests.e2e.answers import predicted_changes
from tests.e2e.cluster import DEV, e2e_stack_text, set_filebeat_image
from tests.e2e.rendered import Rendered
from tests.e2e.test_rollouts import NODE_LABEL, stack_text
from tests.e2e_support.fakes import NEW_IMAGE


def e2e_stack_file(folder: Path, name: str = "e2e-abc123") -> Path:
    stack_file = folder / f"Pulumi.{name}.yaml"
    stack_file.write_text(e2e_stack_text(name, "kind-e2e"))
    return stack_file


def test_the_deployed_stack_is_dev_in_its_own_namespace(tmp_path):
    config = yaml.safe_load(e2e_stack_file(tmp_path).read_text())["config"]
    dev = yaml.safe_load(DEV.read_text())["config"]
    assert config.pop("kubernetes:context") == "kind-e2e"
    assert config.pop("redis-filebeat:namespace") == "e2e-abc123"
    del dev["kubernetes:context"], dev["redis-filebeat:namespace"]
    assert config == dev  # createNamespace is true in dev already

    manifests = render_stack_file(e2e_stack_file(tmp_path)).manifests
    assert {m.namespace for m in manifests.objects} == {"e2e-abc123", None}
    registry = [v["hostPath"]["path"] for v in manifests["DaemonSet"]["filebeat"]["spec"][
        "template"]["spec"]["volumes"] if v["name"] == "registry"]
    assert registry == ["/var/lib/redis-filebeat/e2e-abc123/filebeat"]
    assert {m.name for m in manifests.objects if m.namespace is None} == {
        "e2e-abc123", "e2e-abc123-filebeat"}


def test_the_commands_come_from_the_render(tmp_path):
    rendered = Rendered(e2e_stack_file(tmp_path))
    redis = ["kubectl", "--context", "kind-e2e", "-n", "e2e-abc123", "exec", "deploy/redis",
             "-c", "redis", "--", "sh", "-c",
             'REDISCLI_AUTH="$(cat /etc/redis-auth/password)" redis-cli -p 6379 -n 0 ']
    llen = rendered.redis_cli("kind-e2e", "LLEN", rendered.key)
    assert llen[:-1] == redis[:-1] and llen[-1] == redis[-1] + "LLEN filebeat"
    # The tutorial's way: through the Service's name and port, from inside the pod.
    tutorial = rendered.redis_cli("kind-e2e", "LLEN", "filebeat", host=rendered.service_host)
    assert tutorial[-1].endswith(
        "redis-cli -h redis.e2e-abc123.svc.cluster.local -p 6379 -n 0 LLEN filebeat")
    assert rendered.rollout_command("kind-e2e", 600)[-3:] == [
        "status", "daemonset/filebeat", "--timeout=600s"]
    assert rendered.pods_command("kind-e2e")[-5:] == [
        "pods", "-l", "app.kubernetes.io/name=filebeat", "-o", "json"]
    assert rendered.cleanup_commands("kind-e2e") == [
        "kubectl --context kind-e2e delete namespace e2e-abc123 --ignore-not-found",
        "kubectl --context kind-e2e delete clusterrole e2e-abc123-filebeat --ignore-not-found",
        ("kubectl --context kind-e2e delete clusterrolebinding e2e-abc123-filebeat "
         "--ignore-not-found")]


def test_redis_cli_authenticates_as_the_pods_own_probe_does(tmp_path):
    rendered = Rendered(e2e_stack_file(tmp_path))
    [redis] = rendered.deployment["spec"]["template"]["spec"]["containers"]
    probe = redis["readinessProbe"]["exec"]["command"][-1]
    assert f'REDISCLI_AUTH="$(cat {rendered.password_file})"' in probe
    assert f"-p {rendered.redis_port} " in probe


def test_the_key_and_db_are_filebeats(tmp_path):
    stack_file = e2e_stack_file(tmp_path)
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["redis-filebeat:filebeat"]["output"] = {"key": "node logs", "db": 3}
    stack_file.write_text(yaml.safe_dump(document))
    command = Rendered(stack_file).redis_cli("kind-e2e", "LLEN", "node logs")[-1]
    assert command.endswith("redis-cli -p 6379 -n 3 LLEN 'node logs'")


def test_an_image_change_is_predicted_as_a_rolling_update_of_the_daemon_set(tmp_path):
    before = e2e_stack_file(tmp_path)
    after = tmp_path / "after" / before.name
    after.parent.mkdir()
    after.write_text(set_filebeat_image(before.read_text(), NEW_IMAGE))
    [(change, impacts)] = predicted_changes(before, after).items()
    assert change == ("DaemonSet", "filebeat")
    assert impacts[0].startswith("pod template changed → RollingUpdate")


def test_the_rollout_stacks_differ_from_dev_in_strategy_and_nodes(tmp_path):
    stack_file = tmp_path / "Pulumi.e2e-abc123.yaml"
    stack_file.write_text(stack_text("e2e-abc123", "kind-e2e", {"type": "OnDelete"}, "f00d"))
    [daemon_set] = render_stack_file(stack_file).manifests["DaemonSet"].values()
    pod = daemon_set["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", NODE_LABEL: "f00d"}
    assert daemon_set["spec"]["updateStrategy"] == {"type": "OnDelete"}
    config = yaml.safe_load(stack_file.read_text())["config"]
    dev = yaml.safe_load(e2e_stack_text("e2e-abc123", "kind-e2e"))["config"]
    for key in ("nodeSelector", "updateStrategy"):
        config["redis-filebeat:filebeat"].pop(key)
        dev["redis-filebeat:filebeat"].pop(key, None)
    assert config == dev


def test_with_an_existing_secret_redis_cli_reads_the_start_up_steps_file(tmp_path):
    stack_file = e2e_stack_file(tmp_path)
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["redis-filebeat:redis"]["existingSecret"] = {"name": "logging-redis"}
    stack_file.write_text(yaml.safe_dump(document))
    rendered = Rendered(stack_file)
    assert rendered.password_file == "/run/redis-auth/password"
    [redis] = rendered.deployment["spec"]["template"]["spec"]["containers"]
    assert f'REDISCLI_AUTH="$(cat {rendered.password_file})"' in \
        redis["readinessProbe"]["exec"]["command"][-1]
