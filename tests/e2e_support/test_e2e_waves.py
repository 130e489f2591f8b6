"""A rollout's waves, from the pods' watch events (tests/e2e/waves.py), and when
the watch starts (tests/e2e/watch.py): on made-up event sequences."""

import json
from dataclasses import replace

from tests.e2e.watch import running_old_pods
from tests.e2e.waves import PodEvent, Rollout, WatchDecoder, count_waves, pod_event

OLD, NEW = "filebeat:8.15.3", "filebeat:8.15.2"


def listed(*nodes: str) -> list[PodEvent]:
    """What a watch prints first: every running old pod, ADDED."""
    return [PodEvent(0.0, "ADDED", f"old-{n}", n, OLD, False, True) for n in nodes]


def down(seconds: float, node: str) -> list[PodEvent]:
    """The controller deletes a node's old pod; kwok removes it a moment later."""
    return [PodEvent(seconds, "MODIFIED", f"old-{node}", node, OLD, True, True),
            PodEvent(seconds + 0.01, "DELETED", f"old-{node}", node, OLD, True, True)]


def up(seconds: float, node: str) -> list[PodEvent]:
    """Its new pod is created for the node, bound to it, and becomes ready."""
    return [PodEvent(seconds, "ADDED", f"new-{node}", node, NEW, False, False),
            PodEvent(seconds, "MODIFIED", f"new-{node}", node, NEW, False, False),
            PodEvent(seconds, "MODIFIED", f"new-{node}", node, NEW, False, True)]


def rollout(*steps: list[PodEvent], min_ready_seconds: float = 0) -> Rollout:
    return count_waves([e for step in steps for e in step], NEW, min_ready_seconds)


def test_batches_of_the_budget_are_its_waves():
    found = rollout(listed("a", "b", "c", "d"), down(1, "a"), down(1, "b"), up(2, "a"),
                    up(2, "b"), down(3, "c"), down(3, "d"), up(4, "c"), up(5, "d"))
    assert found == Rollout(replaced=4, peak_unavailable=2, peak_down=2, batches=(2, 2),
                            seconds=4, unfinished=())
    assert found.waves == 2


def test_a_rolling_window_counts_a_budget_of_nodes_a_wave():
    """The controller's own pattern: each new pod ready frees one slot."""
    found = rollout(listed("a", "b", "c", "d", "e"), down(1, "a"), down(1, "b"), up(2, "a"),
                    down(3, "c"), up(4, "b"), down(5, "d"), up(6, "c"), down(7, "e"),
                    up(8, "d"), up(9, "e"))
    assert (found.peak_unavailable, found.batches, found.waves) == (2, (2, 1, 1, 1), 3)


def test_one_at_a_time():
    found = rollout(listed("a", "b", "c"), down(1, "a"), up(2, "a"), down(3, "b"), up(4, "b"),
                    down(5, "c"), up(6, "c"))
    assert (found.peak_unavailable, found.batches, found.waves) == (1, (1, 1, 1), 3)


def test_more_nodes_down_than_the_budget_make_fewer_waves():
    found = rollout(listed("a", "b", "c", "d"), down(1, "a"), down(1, "b"), down(1, "c"),
                    up(2, "a"), down(3, "d"), up(4, "b"), up(4, "c"), up(4, "d"))
    assert (found.peak_unavailable, found.waves) == (3, 2)


def test_a_node_without_a_ready_new_pod_leaves_the_rollout_unfinished():
    found = rollout(listed("a", "b"), down(1, "a"), up(2, "a"), down(3, "b"), up(4, "b")[:2])
    assert (found.replaced, found.unfinished, found.seconds) == (2, ("b",), None)


def test_the_listing_and_a_new_node_replace_nothing():
    found = rollout(listed("a", "b"), up(1, "c"))
    assert found == Rollout(0, 0, 0, (), None, ())
    assert found.waves == 0
    later = rollout(listed("a", "b"), up(1, "c"), down(2, "a"), down(2, "b"), up(3, "a"),
                    up(3, "b"))
    assert (later.replaced, later.peak_unavailable) == (2, 2)


def test_a_node_is_down_from_the_moment_its_old_pod_terminates():
    """The controller counts a terminating pod as gone, grace period or not."""
    marked, gone = down(1, "a")
    found = rollout(listed("a"), [marked], up(2, "a"), [replace(gone, seconds=3)])
    assert (found.replaced, found.seconds) == (1, 1)


def test_a_pod_deleted_at_once_counts_as_down():
    """No MODIFIED with a deletionTimestamp first (a watch that missed it)."""
    found = rollout(listed("a"), [replace(down(1, "a")[1], seconds=1)], up(2, "a"))
    assert (found.replaced, found.peak_down, found.seconds) == (1, 1, 1)


def test_the_budget_does_not_count_a_node_left_without_a_pod():
    """The controller's blind spot (waves.py): a node whose old pod is gone and
    whose new one is not created yet. A sync that spent the budget then
    leaves one node more down than maxUnavailable."""
    found = rollout(listed("a", "b", "c"), down(1, "a"), down(2, "b"), up(3, "a"),
                    up(3, "b"), down(4, "c"), up(5, "c"))
    assert (found.peak_unavailable, found.peak_down, found.waves) == (1, 2, 3)


def test_a_pod_not_yet_bound_counts_on_the_node_it_was_made_for():
    pod = {"metadata": {"name": "filebeat-new"},
           "spec": {"containers": [{"name": "filebeat", "image": NEW}], "affinity": {
               "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                   "nodeSelectorTerms": [{"matchFields": [
                       {"key": "metadata.name", "operator": "In", "values": ["roll-03"]}]}]}}}}}
    assert pod_event(1, {"type": "ADDED", "object": pod}, "filebeat").node == "roll-03"
    placed = rollout(listed("a"), down(1, "a"), [PodEvent(2, "ADDED", "new-a", "a", NEW,
                                                          False, False)])
    assert (placed.peak_unavailable, placed.unfinished) == (1, ("a",))


def test_min_ready_seconds_keeps_a_node_down_after_its_pod_is_ready():
    steps = (listed("a", "b"), down(1, "a"), up(2, "a"), down(2.5, "b"), up(3, "b"))
    assert rollout(*steps).peak_unavailable == 1
    slow = rollout(*steps, min_ready_seconds=1)
    assert (slow.peak_unavailable, slow.batches, slow.seconds) == (2, (2,), 3)


def test_a_watch_event_as_kubectl_prints_it():
    pod = {"metadata": {"name": "filebeat-x7k2p", "deletionTimestamp": "2025-01-01T00:00:00Z"},
           "spec": {"nodeName": "roll-01", "containers": [
               {"name": "sidecar", "image": "busybox"}, {"name": "filebeat", "image": NEW}]},
           "status": {"conditions": [{"type": "PodScheduled", "status": "True"},
                                     {"type": "Ready", "status": "True"}]}}
    assert pod_event(7.5, {"type": "MODIFIED", "object": pod}, "filebeat") == PodEvent(
        7.5, "MODIFIED", "filebeat-x7k2p", "roll-01", NEW, True, True)
    pending = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "filebeat",
                                                                   "image": OLD}]}}
    assert pod_event(0, {"type": "ADDED", "object": pending}, "filebeat") == PodEvent(
        0, "ADDED", "p", None, OLD, False, False)


def test_the_decoder_returns_each_document_on_its_last_line():
    first = {"type": "ADDED", "object": {"metadata": {"name": "a"}, "spec": {"x": [1, {}]}}}
    second = {"type": "DELETED", "object": {}}
    lines = (json.dumps(first, indent=4) + "\n" + json.dumps(second) + "\n").splitlines(True)
    decoder = WatchDecoder()
    found = [decoder.feed(line) for line in lines]
    assert found[-2:] == [[first], [second]]
    assert not any(found[:-2])
    assert decoder.feed("{\n") == [] and decoder.feed('    "a": 1\n') == []
    assert decoder.feed("}\n") == [{"a": 1}]


def test_the_watch_starts_once_the_old_pods_run():
    events = [*listed("a", "b"), PodEvent(0, "ADDED", "c", "c", OLD, False, False),
              *down(1, "b"), *up(2, "b")]
    assert running_old_pods(events, NEW) == {"old-a"}
