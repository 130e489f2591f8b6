"""End to end on a real cluster: deploy dev, see logs reach redis, roll filebeat, destroy.

Runs only under `pytest -m e2e`, against the current kube context (a kind
cluster is enough), with Pulumi's Automation API driving the real CLI. The
stack gets its own name, namespace, passphrase and file-backed state in a
temporary folder, so it never touches the operator's own stacks or state.
Each step is a test, in order; the module fixture destroys the stack at the
end whatever happened.
"""

import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from components.diff import compare
from components.render import render_stack_file
from tests.e2e.cluster import ROOT, Rendered, current_context, e2e_stack_text, missing_tools

# The steps share one deployment and run in order: one xdist worker takes them all.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NEW_FILEBEAT_IMAGE = os.environ.get("E2E_FILEBEAT_IMAGE", "docker.elastic.co/beats/filebeat:8.15.2")
"""The image the rollout step switches to: another real tag of dev's image."""
LOGS_DEADLINE_SECONDS = int(os.environ.get("E2E_LOGS_DEADLINE", "300"))
ROLLOUT_SECONDS = int(os.environ.get("E2E_ROLLOUT_TIMEOUT", "600"))


class Deployment:
    """One throwaway stack: its file, its Automation API handle, and the cluster."""

    def __init__(self, state: Path):
        from pulumi import automation as auto

        self.context = current_context()
        suffix = secrets.token_hex(3)
        self.name = f"e2e-{suffix}"
        self.stack_file = ROOT / "stacks" / f"Pulumi.{self.name}.yaml"
        self.stack_file.write_text(e2e_stack_text(f"e2e-{suffix}", self.context),
                                   encoding="utf-8")
        self.rendered = Rendered(self.stack_file)
        env = {"PULUMI_BACKEND_URL": state.as_uri(),
               "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24)}
        self.stack = auto.create_or_select_stack(
            stack_name=self.name, work_dir=str(ROOT),
            opts=auto.LocalWorkspaceOptions(work_dir=str(ROOT), env_vars=env))
        self.stack.set_config("redis-filebeat:redisPassword",
                              auto.ConfigValue(value=secrets.token_urlsafe(24), secret=True))

    def use_filebeat_image(self, image: str) -> None:
        """As an operator would: `pulumi config set --path redis-filebeat:filebeat.image`."""
        from pulumi import automation as auto

        self.stack.set_config("redis-filebeat:filebeat.image", auto.ConfigValue(value=image),
                              path=True)

    def kubectl(self, command: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    deployed = Deployment(tmp_path_factory.mktemp("pulumi-state"))
    try:
        yield deployed
    finally:
        try:
            deployed.stack.destroy(on_output=print)
            deployed.stack.workspace.remove_stack(deployed.name)
        finally:
            deployed.stack_file.unlink(missing_ok=True)


def test_up_deploys_the_dev_stack(deployment):
    result = deployment.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    assert result.outputs["namespace"].value == deployment.rendered.namespace


def test_filebeat_entries_reach_redis(deployment):
    command = deployment.rendered.llen_command(deployment.context)
    deadline, seen = time.monotonic() + LOGS_DEADLINE_SECONDS, ""
    while time.monotonic() < deadline:
        result = deployment.kubectl(command)
        seen = (result.stdout or result.stderr).strip()
        if result.returncode == 0 and seen.isdigit() and int(seen) > 0:
            return
        time.sleep(5)
    pytest.fail(f"LLEN {deployment.rendered.key} stayed empty for {LOGS_DEADLINE_SECONDS} s; "
                f"last answer: {seen!r}")


def test_an_image_change_previews_as_a_daemon_set_update(deployment):
    from pulumi.automation import OpType

    before = render_stack_file(deployment.stack_file).manifests.items
    deployment.use_filebeat_image(NEW_FILEBEAT_IMAGE)
    # Our own diff, offline, predicts the rollout the engine is about to do.
    impacts = [line for d in compare(before, render_stack_file(deployment.stack_file)
                                     .manifests.items) for line in d.impacts]
    assert any(line.startswith("pod template changed → RollingUpdate") for line in impacts)
    preview = deployment.stack.preview(diff=True, on_output=print)
    assert preview.change_summary.get(OpType.UPDATE, 0) >= 1
    assert preview.change_summary.get(OpType.REPLACE, 0) == 0
    assert "kubernetes:apps/v1:DaemonSet" in preview.stdout
    assert NEW_FILEBEAT_IMAGE in preview.stdout


def test_up_completes_the_rollout(deployment):
    result = deployment.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    rollout = deployment.kubectl(
        deployment.rendered.rollout_command(deployment.context, ROLLOUT_SECONDS),
        timeout=ROLLOUT_SECONDS + 60)
    assert rollout.returncode == 0, rollout.stderr
    images = deployment.kubectl(deployment.rendered.pod_images_command(deployment.context))
    assert images.returncode == 0, images.stderr
    assert set(images.stdout.split()) == {NEW_FILEBEAT_IMAGE}
