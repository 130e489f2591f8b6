"""The engine section's rollouts: a filebeat image change over 20 fake nodes,
under `maxUnavailable: 1` and `25%`, timed from a watch of the pods.

The same steps as tests/e2e/test_rollouts.py, repeated and reported as
medians: each round brings a fresh stack of each strategy up on the
labelled nodes, changes the image with `pulumi up`, and destroys it. The two
strategies run interleaved, one further along each round.
"""

import secrets
import statistics
import time

from components.review.rollout import rollout_waves
from tests.e2e.cluster import set_filebeat_image
from tests.e2e.nodes import NODE_LABEL, fake_nodes, node, stack_text
from tests.e2e.rendered import Rendered
from tests.e2e.stack import ThrowawayStack
from tests.e2e.test_deploy import NEW_FILEBEAT_IMAGE
from tests.e2e.watch import timed_rollout

from .runner import BenchmarkError
from .table import table

NODES = 20
STRATEGIES = {"maxUnavailable: 1": {"type": "RollingUpdate", "maxUnavailable": 1},
              "maxUnavailable: 25%": {"type": "RollingUpdate", "maxUnavailable": "25%"}}


def rollouts(scratch, repeats: int, context: str) -> str:
    # A letter first: hex digits alone can read as a number in YAML (529e32).
    value = f"v{secrets.token_hex(3)}"
    figures: dict[str, list[tuple[int, int, float, float]]] = {s: [] for s in STRATEGIES}
    with fake_nodes([node(f"bench-{value}-{i:02d}", {NODE_LABEL: value})
                     for i in range(NODES)]):
        names = list(STRATEGIES)
        for round_number in range(repeats):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                state = scratch / f"rollout-{names.index(name)}-{round_number}"
                figures[name].append(_one(state, context, name, value))
    rows = []
    for name, runs in figures.items():
        waves, predicted = runs[0][0], runs[0][1]
        rows.append([name, f"{waves}", f"{predicted}",
                     f"{statistics.median(r[2] for r in runs):.1f}",
                     f"{min(r[2] for r in runs):.1f}–{max(r[2] for r in runs):.1f}",
                     f"{statistics.median(r[3] for r in runs):.1f}"])
    return "\n".join([
        f"rollouts: a filebeat image change over {NODES} fake nodes, median of {repeats} "
        "each, interleaved (kwok pulls no image and starts no container: these time the "
        "controller, the API server and Pulumi's await, not filebeat)",
        table(["strategy", "waves", "predicted", "rollout s", "min–max s", "pulumi up s"],
              rows)])


def _one(state, context: str, strategy: str, label_value: str) -> tuple[int, int, float, float]:
    """(waves seen, waves predicted, rollout seconds, `pulumi up` seconds) of one rollout."""
    state.mkdir(parents=True)
    stack = ThrowawayStack(state, context)
    try:
        stack.create(stack_text(stack.namespace, context, STRATEGIES[strategy], label_value))
        assert stack.stack is not None and stack.rendered is not None
        stack.stack.up(on_output=lambda line: None)
        after = state / stack.stack_file.name
        after.write_text(set_filebeat_image(stack.stack_file.read_text(), NEW_FILEBEAT_IMAGE))
        predicted = rollout_waves(Rendered(after).daemon_set, NODES)
        stack.use_filebeat_image(NEW_FILEBEAT_IMAGE)
        began = time.monotonic()
        rollout, _ = timed_rollout(
            stack.rendered.pods_command(context), stack.rendered.filebeat_container,
            NEW_FILEBEAT_IMAGE, NODES, lambda: stack.stack.up(on_output=lambda line: None))
        up_seconds = time.monotonic() - began
        if rollout.replaced < NODES or rollout.unfinished or rollout.seconds is None:
            raise BenchmarkError(f"{strategy}: the rollout did not finish on {NODES} nodes")
        return rollout.waves, predicted, rollout.seconds, up_seconds
    finally:
        stack.tear_down(on_output=lambda line: None)
