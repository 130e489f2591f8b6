"""The e2e suite's own logic, tested here where it cannot deploy: why it
skips, the stack it would deploy, and the commands it would run."""

import stat
import subprocess
import sys

import pytest
import yaml

from components.render import render_stack_file
from tests.e2e.cluster import Rendered, e2e_stack_text, missing_tools


def fake_tools(tmp_path, monkeypatch, **scripts: str) -> None:
    """A PATH holding only these shell scripts (they run /bin/sh by its full path)."""
    for name, body in scripts.items():
        tool = tmp_path / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_without_the_pulumi_cli_the_suite_says_so(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, kubectl="exit 0")
    assert missing_tools().startswith("the pulumi CLI is not on PATH")


def test_without_kubectl(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0")
    assert missing_tools().startswith("kubectl is not on PATH")


def test_without_a_context(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='echo "error: current-context is not set" >&2; exit 1')
    assert missing_tools() == ("kubectl has no current context; create a cluster first: "
                               "kind create cluster")


def test_with_a_cluster_that_does_not_answer(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kubectl="""
case "$1" in
  config) echo kind-kind ;;
  *) echo "The connection to the server 127.0.0.1:6443 was refused" >&2; exit 1 ;;
esac""")
    assert missing_tools() == ("the cluster of kube context 'kind-kind' does not answer: "
                               "The connection to the server 127.0.0.1:6443 was refused")


def test_with_everything_there_the_suite_runs(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='[ "$1" = config ] && echo kind-kind; exit 0')
    assert missing_tools() is None


def test_the_deployed_stack_is_dev_in_its_own_namespace(tmp_path):
    stack_file = tmp_path / "Pulumi.e2e-abc123.yaml"
    stack_file.write_text(e2e_stack_text("e2e-abc123", "kind-e2e"))
    config = yaml.safe_load(stack_file.read_text())["config"]
    assert config["kubernetes:context"] == "kind-e2e"
    manifests = render_stack_file(stack_file).manifests
    assert {m.namespace for m in manifests.items} == {"e2e-abc123", None}
    assert "e2e-abc123" in manifests["Namespace"]


def test_the_commands_come_from_the_render(tmp_path):
    stack_file = tmp_path / "Pulumi.e2e-abc123.yaml"
    stack_file.write_text(e2e_stack_text("e2e-abc123", "kind-e2e"))
    rendered = Rendered(stack_file)
    assert rendered.llen_command("kind-e2e") == [
        "kubectl", "--context", "kind-e2e", "-n", "e2e-abc123", "exec", "deploy/redis",
        "-c", "redis", "--", "sh", "-c",
        'REDISCLI_AUTH="$(cat /etc/redis-auth/password)" redis-cli -p 6379 LLEN filebeat']
    assert rendered.rollout_command("kind-e2e", 600)[-2:] == ["daemonset/filebeat",
                                                              "--timeout=600s"]
    assert rendered.pod_images_command("kind-e2e")[-4:] == [
        "-l", "app.kubernetes.io/name=filebeat", "-o",
        "jsonpath={.items[*].spec.containers[*].image}"]


def test_the_suite_skips_here_with_its_reason():
    """Not vacuous: where the tools are missing, `pytest -m e2e` reports every
    e2e test as skipped, with the reason, and none as passed."""
    reason = missing_tools()
    if reason is None:
        pytest.skip("this machine can run the e2e suite; run it with pytest -m e2e")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "e2e", "-rs", "-q", "-p", "no:cacheprovider",
         "-n", "0", "tests/e2e"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 skipped" in result.stdout and "passed" not in result.stdout
    assert reason in result.stdout
