"""Rollouts on many nodes against the real DaemonSet controller, and OnDelete's `up`.

On the simulated cluster, NODES fake nodes carrying a label of their own
are added, and each stack's filebeat selects that label, so the suite's own
nodes take no filebeat. One throwaway stack per update strategy (dev's
stack file with the strategy and the node selector changed), each deployed
once and then given another filebeat image:

- under RollingUpdate, `pulumi up` rolls every node, in the number of waves
  our `diff` predicts (tests/e2e/waves.py says what a wave is), and the
  time each rollout took is printed;
- under OnDelete, `up` returns without waiting for a rollout that never
  starts (`pulumi.com/skipAwait`), every old pod still running, and a
  deleted pod comes back with the new template.

Each step is a test, in order; after a failed step the later ones skip.
The stacks are destroyed, and then the nodes deleted, whatever happened.
"""

import json
import secrets
import subprocess
import time
from collections.abc import Callable

import pytest

from components.review.rollout import replaced_at_a_time, rollout_waves
from tests.e2e.answers import predicted_changes
from tests.e2e.cluster import current_context, set_filebeat_image
from tests.e2e.nodes import NODE_LABEL, fake_nodes, kubectl, node, stack_text
from tests.e2e.rendered import Rendered
from tests.e2e.stack import TearDownError, ThrowawayStack
from tests.e2e.test_deploy import NEW_FILEBEAT_IMAGE
from tests.e2e.watch import timed_rollout

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NODES = 20
STRATEGIES = {
    "one-at-a-time": {"type": "RollingUpdate", "maxUnavailable": 1},
    "a-quarter": {"type": "RollingUpdate", "maxUnavailable": "25%"},
    "on-delete": {"type": "OnDelete"},
}
ROLLING = [name for name, s in STRATEGIES.items() if s["type"] == "RollingUpdate"]
SETTLE_SECONDS = 120
"""How long the pods may take to show what the controller did."""


@pytest.fixture(scope="module")
def labelled_nodes(cluster):
    if not cluster.simulated:
        pytest.skip("adds kwok's fake nodes, which only the simulated cluster runs")
    # A letter first: hex digits alone can read as a number in YAML (529e32).
    value = f"v{secrets.token_hex(3)}"
    with fake_nodes([node(f"roll-{value}-{i:02d}", {NODE_LABEL: value})
                     for i in range(NODES)]) as names:
        yield value, names


@pytest.fixture(scope="module")
def stacks(labelled_nodes, tmp_path_factory):
    value, _ = labelled_nodes
    state, context = tmp_path_factory.mktemp("pulumi-state"), current_context()
    made: dict[str, ThrowawayStack] = {}
    try:
        for name, strategy in STRATEGIES.items():
            made[name] = stack = ThrowawayStack(state, context)
            stack.create(stack_text(stack.namespace, context, strategy, value))
        yield made
    finally:
        failures = []
        for stack in made.values():
            try:
                stack.tear_down()
            except TearDownError as error:
                failures.append(str(error))
        if failures:
            raise TearDownError("\n".join(failures))


def read(command: list[str]) -> dict:
    answer = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def image(pod: dict, stack: ThrowawayStack) -> str:
    [found] = [c["image"] for c in pod["spec"]["containers"]
               if c["name"] == stack.rendered.filebeat_container]
    return found


def running(pod: dict) -> bool:
    return (pod["status"].get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in pod["status"].get("conditions", [])))


def by_node(stack: ThrowawayStack) -> dict[str, dict]:
    """The running filebeat pod of each node; two on one node fail the test."""
    found: dict[str, dict] = {}
    for pod in filter(running, read(stack.rendered.pods_command(stack.context))["items"]):
        where = pod["spec"]["nodeName"]
        assert where not in found, f"two running filebeat pods on {where}"
        found[where] = pod
    return found


def settled(stack: ThrowawayStack, done: Callable[[dict[str, dict]], bool]) -> dict[str, dict]:
    """`by_node` once `done` holds of it, or as it is after SETTLE_SECONDS."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not done(placed := by_node(stack)) and time.monotonic() < deadline:
        time.sleep(1)
    return placed


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_up_runs_filebeat_on_the_labelled_nodes_only(stacks, labelled_nodes, strategy):
    stack = stacks[strategy]
    assert stack.rendered.filebeat_image != NEW_FILEBEAT_IMAGE, \
        "E2E_FILEBEAT_IMAGE must differ from dev's image, or no step changes anything"
    result = stack.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    # OnDelete's `up` does not wait for the pods.
    placed = settled(stack, lambda placed: sorted(placed) == labelled_nodes[1])
    assert sorted(placed) == labelled_nodes[1]
    assert {image(p, stack) for p in placed.values()} == {stack.rendered.filebeat_image}


@pytest.mark.parametrize("strategy", ROLLING)
def test_a_rolling_update_takes_the_waves_diff_predicts(stacks, strategy, tmp_path):
    stack = stacks[strategy]
    after = tmp_path / stack.stack_file.name
    after.write_text(set_filebeat_image(stack.stack_file.read_text(), NEW_FILEBEAT_IMAGE))
    daemon_set = ("DaemonSet", stack.rendered.daemon_set_name)
    [line] = predicted_changes(stack.stack_file, after)[daemon_set]
    assert line.startswith("pod template changed → RollingUpdate replaces pods"), line
    new = Rendered(after).daemon_set
    predicted, budget = rollout_waves(new, NODES), replaced_at_a_time(new, NODES)

    stack.use_filebeat_image(NEW_FILEBEAT_IMAGE)
    began = time.monotonic()
    rollout, result = timed_rollout(
        stack.rendered.pods_command(stack.context), stack.rendered.filebeat_container,
        NEW_FILEBEAT_IMAGE, NODES, lambda: stack.stack.up(on_output=print),
        min_ready_seconds=new["spec"].get("minReadySeconds", 0), settle_seconds=SETTLE_SECONDS)
    print(f"\n{strategy} ({STRATEGIES[strategy]}): {rollout.waves} waves, {predicted} "
          f"predicted; at most {rollout.peak_unavailable} of {NODES} nodes down at once "
          f"as the budget counts them ({rollout.peak_down} with those left without a pod); "
          f"old pods deleted in batches of {list(rollout.batches)}; the rollout took "
          f"{rollout.seconds and round(rollout.seconds, 2)} s, "
          f"`pulumi up` {time.monotonic() - began:.1f} s")
    assert result.summary.result == "succeeded"
    assert (rollout.replaced, rollout.unfinished) == (NODES, ())
    # What the controller holds to maxUnavailable; peak_down can pass it (waves.py).
    assert rollout.peak_unavailable <= budget, "more nodes down at once than maxUnavailable"
    assert rollout.waves == predicted
    assert {image(p, stack) for p in by_node(stack).values()} == {NEW_FILEBEAT_IMAGE}


def test_on_delete_up_returns_with_the_old_pods_running(stacks, tmp_path):
    stack = stacks["on-delete"]
    after = tmp_path / stack.stack_file.name
    after.write_text(set_filebeat_image(stack.stack_file.read_text(), NEW_FILEBEAT_IMAGE))
    daemon_set = ("DaemonSet", stack.rendered.daemon_set_name)
    assert predicted_changes(stack.stack_file, after)[daemon_set] == (
        "OnDelete → no pod changes until pods are deleted",)
    before = {n: p["metadata"]["uid"] for n, p in by_node(stack).items()}

    stack.use_filebeat_image(NEW_FILEBEAT_IMAGE)
    result = stack.stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    live = read(stack.rendered.daemon_set_command(stack.context))
    assert live["metadata"]["annotations"].get("pulumi.com/skipAwait") == "true"
    [container] = live["spec"]["template"]["spec"]["containers"]
    assert container["image"] == NEW_FILEBEAT_IMAGE
    # An `up` that waited for the rollout would only return with every pod updated.
    assert live["status"].get("updatedNumberScheduled", 0) == 0, live["status"]
    placed = by_node(stack)
    assert {n: p["metadata"]["uid"] for n, p in placed.items()} == before
    assert {image(p, stack) for p in placed.values()} == {stack.rendered.filebeat_image}


def test_on_delete_a_deleted_pod_comes_back_with_the_new_template(stacks):
    stack = stacks["on-delete"]
    before = {n: p["metadata"]["uid"] for n, p in by_node(stack).items()}
    where = sorted(before)[0]
    name = by_node(stack)[where]["metadata"]["name"]
    deleted = kubectl("--context", stack.context, "-n", stack.namespace, "delete", "pod", name)
    assert deleted.returncode == 0, deleted.stderr
    placed = settled(stack, lambda placed: where in placed
                     and placed[where]["metadata"]["uid"] != before[where])
    assert where in placed and placed[where]["metadata"]["uid"] != before[where], \
        f"no new running pod on {where} within {SETTLE_SECONDS} s"
    assert image(placed[where], stack) == NEW_FILEBEAT_IMAGE
    others = {n: p["metadata"]["uid"] for n, p in placed.items() if n != where}
    assert others == {n: uid for n, uid in before.items() if n != where}
    assert {image(p, stack) for n, p in placed.items() if n != where} == {
        stack.rendered.filebeat_image}
