"""The first node class, added as docs/rollouts.md says: in two steps.

Adding the first class replaces the stack's DaemonSet with one per class, on
the same nodes and the same registry. In one `up` the new filebeat would
start beside the old one and find the registry locked; `diff` says so, and
says to delete the old DaemonSet alone first (components/review/shared_state.py).
Here the doc's own commands do that on the real node while a writer keeps
writing: `pulumi stack --show-urns | grep 'DaemonSet::'`, `pulumi destroy
--target` that URN, then `up`. The new DaemonSet's pod carries on from the
registry the old one left: every line arrives, none twice.
"""

import re
import secrets

import yaml

from components.project import PROJECT
from tests.e2e.answers import predicted_changes
from tests.e2e.real_node import lines
from tests.e2e.real_node import node as real
from tests.e2e.real_node.pods import container_status, explain_pods, real_pod
from tests.e2e.real_node.stack import SENT, arrived, read_redis, up, writer
from tests.e2e.rendered import Rendered

pytestmark = real.marks()
CLASS = "real"
URN = re.compile(r"urn:pulumi:\S+DaemonSet::\S+")


def with_a_node_class(stack_text: str) -> str:
    """The stack file once the operator added a class for the real node."""
    document = yaml.safe_load(stack_text)
    document["config"][f"{PROJECT}:filebeat"]["nodeClasses"] = {
        CLASS: {"nodeSelector": dict(real.SELECTOR)}}
    return yaml.safe_dump(document, sort_keys=False)


def test_dev_runs_and_ships_before_the_change(deployment, node):
    assert up(node, deployment).summary.result == "succeeded"
    run = f"a{secrets.token_hex(4)}"
    writer(node, deployment, "before-the-class", run)
    assert arrived(node, deployment, run, SENT) == lines.Count(SENT, SENT, 0, 0)


def test_diff_says_to_delete_the_old_daemon_set_first(deployment, tmp_path):
    after = tmp_path / deployment.stack_file.name
    after.write_text(with_a_node_class(deployment.stack_file.read_text()))
    daemon_set = f"{deployment.rendered.daemon_set_name}-{CLASS}"
    said = " ".join(predicted_changes(deployment.stack_file, after)[("DaemonSet", daemon_set)])
    assert "its pods cannot start while" in said and "crash-loops" in said, said
    assert "`pulumi destroy --target` the old DaemonSet's URN, then `pulumi up`" in said, said


def test_the_docs_two_steps_carry_the_registry_over(deployment, node):
    old = deployment.rendered.daemon_set_name
    during = f"b{secrets.token_hex(4)}"
    writer(node, deployment, "across-the-class", during, every=0.12)  # through both steps

    shown = deployment.cli("stack", "--show-urns")
    assert shown.returncode == 0, shown.stderr
    [urn] = [found for line in shown.stdout.splitlines() if "DaemonSet::" in line
             for found in URN.findall(line)]
    assert urn.endswith(f"::{old}"), urn
    destroyed = deployment.cli("destroy", "--target", urn, "--yes")
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr

    deployment.stack_file.write_text(with_a_node_class(deployment.stack_file.read_text()))
    deployment.rendered = rendered = Rendered(deployment.stack_file)
    assert rendered.daemon_set_name == f"{old}-{CLASS}"
    assert up(node, deployment).summary.result == "succeeded"  # it waited for a Ready pod
    pod = real_pod(node, deployment, rendered.daemon_set_name)
    assert container_status(pod)["ready"], explain_pods(node, deployment)

    assert arrived(node, deployment, during, SENT) == lines.Count(SENT, SENT, 0, 0)
    after = f"c{secrets.token_hex(4)}"
    writer(node, deployment, "after-the-class", after)
    assert arrived(node, deployment, after, SENT) == lines.Count(SENT, SENT, 0, 0)
    assert lines.reshipped(read_redis(node, deployment)) == []
