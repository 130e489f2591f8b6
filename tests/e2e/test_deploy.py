"""End to end on a cluster: deploy dev, roll filebeat, keep the password secret, destroy.
(What needs running pods, logs reaching redis among them, is tests/e2e/real_node/'s.)

Runs only under `pytest -m e2e`, against the current kube context (a kind
cluster is enough), with Pulumi's Automation API driving the real CLI. The
stack gets its own name, namespace, passphrase and file-backed state in a
temporary folder, so it never touches the operator's own stacks or state
(tests/e2e/stack.py). Each step is a test, in order; after a failed step
the later ones skip, and the module fixture destroys the stack at the end
whatever happened.
"""

import base64
import os
import subprocess
import time

import pytest
from pulumi import automation as auto

from tests.e2e.answers import (
    StepRecorder,
    desired_pods,
    op_counts,
    predicted_changes,
    running_images,
    unexpected_steps,
)
from tests.e2e.cluster import current_context, set_filebeat_image
from tests.e2e.stack import ThrowawayStack

# The steps share one deployment and run in order: one xdist worker takes them all.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NEW_FILEBEAT_IMAGE = os.environ.get("E2E_FILEBEAT_IMAGE", "docker.elastic.co/beats/filebeat:9.3.7")
"""The image the rollout step switches to: another real tag of dev's image."""
ROLLOUT_SECONDS = int(os.environ.get("E2E_ROLLOUT_TIMEOUT", "600"))
SETTLE_SECONDS = 120
"""How long the old template's pods may take to finish terminating after the rollout."""


def kubectl(command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def deployment(cluster, tmp_path_factory):
    stack = ThrowawayStack(tmp_path_factory.mktemp("pulumi-state"), current_context())
    try:
        yield stack.create()
    finally:
        stack.tear_down()


def test_up_deploys_the_dev_stack(deployment):
    assert deployment.rendered.filebeat_image != NEW_FILEBEAT_IMAGE, \
        "E2E_FILEBEAT_IMAGE must differ from dev's image, or the rollout step changes nothing"
    result = deployment.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    assert result.outputs["namespace"].value == deployment.rendered.namespace
    assert result.outputs["daemonSetName"].value == deployment.rendered.daemon_set_name


def test_an_image_change_previews_as_a_daemon_set_update(deployment, tmp_path):
    # What our own offline diff predicts, from the stack file as it will be.
    after = tmp_path / deployment.stack_file.name
    after.write_text(set_filebeat_image(deployment.stack_file.read_text(), NEW_FILEBEAT_IMAGE))
    predicted = predicted_changes(deployment.stack_file, after)
    daemon_set = ("DaemonSet", deployment.rendered.daemon_set_name)
    assert list(predicted) == [daemon_set], predicted
    assert predicted[daemon_set][0].startswith("pod template changed → RollingUpdate")

    deployment.use_filebeat_image(NEW_FILEBEAT_IMAGE)
    steps = StepRecorder()
    preview = deployment.stack.preview(diff=True, on_output=print, on_event=steps)
    counts = op_counts(preview.change_summary)
    assert counts.get("update", 0) >= 1, counts
    assert not {"create", "delete", "replace"} & {op for op, n in counts.items() if n}, counts
    assert unexpected_steps(steps.changes(), predicted) == []
    [urn] = [s.urn for s in steps.changes() if (s.kind, s.name) == daemon_set]
    assert urn in preview.stdout and "kubernetes:apps/v1:DaemonSet" in preview.stdout
    assert NEW_FILEBEAT_IMAGE in preview.stdout


def test_up_completes_the_rollout(deployment):
    rendered, context = deployment.rendered, deployment.context
    result = deployment.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    assert op_counts(result.summary.resource_changes).get("update", 0) >= 1
    rollout = kubectl(rendered.rollout_command(context, ROLLOUT_SECONDS),
                      timeout=ROLLOUT_SECONDS + 60)
    assert rollout.returncode == 0, rollout.stdout + rollout.stderr
    daemon_set = kubectl(rendered.daemon_set_command(context))
    assert daemon_set.returncode == 0, daemon_set.stderr
    # Old pods still terminating are left out; give the listing time to settle.
    deadline, images = time.monotonic() + SETTLE_SECONDS, []
    while time.monotonic() < deadline:
        pods = kubectl(rendered.pods_command(context))
        assert pods.returncode == 0, pods.stderr
        images = running_images(pods.stdout, rendered.filebeat_container)
        if images == [NEW_FILEBEAT_IMAGE] * desired_pods(daemon_set.stdout):
            break
        time.sleep(5)
    assert images and set(images) == {NEW_FILEBEAT_IMAGE}, images
    assert len(images) == desired_pods(daemon_set.stdout)


def no_changes_preview(deployment) -> None:
    """`pulumi preview --expect-no-changes`; on a diff, the fields that differ."""
    steps = StepRecorder()
    try:
        deployment.stack.preview(expect_no_changes=True, diff=True, on_output=print,
                                 on_event=steps)
    except auto.CommandError as error:
        changed = [f"{s.op} {s.type} {s.name}" for s in steps.changes()]
        pytest.fail(f"a perpetual diff: {changed}\n{error}")


def test_nothing_to_change_right_after_up(deployment):
    no_changes_preview(deployment)


def test_nothing_to_change_after_a_refresh(deployment):
    result = deployment.stack.refresh(on_output=print)
    assert result.summary.result == "succeeded"
    no_changes_preview(deployment)


def test_the_password_is_kept_encrypted(deployment, cluster):
    password = deployment.password
    # Not the Automation API's export_stack: it passes --show-secrets.
    export = deployment.cli("stack", "export")
    assert export.returncode == 0, export.stderr
    state = export.stdout
    assert password not in state
    assert '"ciphertext"' in state
    secret = kubectl(["kubectl", "-n", deployment.namespace, "get", "secret", "redis-auth",
                      "-o", "jsonpath={.data.password}"])
    assert secret.returncode == 0, secret.stderr
    assert base64.b64decode(secret.stdout).decode() == password
    outputs = deployment.cli("stack", "output", "--json")
    assert outputs.returncode == 0, outputs.stderr
    assert password not in outputs.stdout


def test_destroy_leaves_nothing_behind(deployment):
    deployment.tear_down(on_output=print)
    namespaces = kubectl(["kubectl", "get", "namespaces", "-o", "name"])
    assert namespaces.returncode == 0, namespaces.stderr
    assert f"namespace/{deployment.namespace}" not in namespaces.stdout.split()
    for kind in ("clusterroles", "clusterrolebindings"):
        left = kubectl(["kubectl", "get", kind, "-o", "name"])
        assert left.returncode == 0, left.stderr
        ours = [n for n in left.stdout.split() if deployment.namespace in n]
        assert ours == [], ours
