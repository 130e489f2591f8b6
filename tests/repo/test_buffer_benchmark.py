"""The buffer benchmark's inputs: its corpus and the events it writes (no timing here)."""

import json
import re

from benchmarks.buffer_run import Setting, stack, with_kubernetes
from benchmarks.corpus import MIX, MULTILINE, corpus
from tests.configs import render_config


def test_the_corpus_is_the_same_for_a_seed_and_differs_between_seeds():
    assert corpus(7, 500) == corpus(7, 500)
    assert corpus(7, 500) != corpus(8, 500)


def test_each_container_gets_its_share_and_every_event_is_counted():
    containers = corpus(7, 10_000)
    assert [c.name for c in containers] == list(MIX)
    assert sum(len(c.events) for c in containers) == 10_000
    for container, (_, share) in zip(containers, MIX.values(), strict=True):
        assert abs(len(container.events) - 10_000 * share) <= 1


def test_filebeat_makes_exactly_one_event_of_each():
    """The multiline pattern the benchmark's stack sets joins an event's
    continuation lines and nothing else, so the events counted are the events
    filebeat ships."""
    joins = re.compile(MULTILINE["pattern"])
    for container in corpus(7, 5_000):
        for head, *rest in container.events:
            assert not joins.search(head), head
            assert all(joins.search(line) for line in rest), rest


def test_the_stack_is_the_setting_asked_for():
    conf = render_config(stack(Setting(2, -3))).manifests["ConfigMap"]["redis-config"]
    lines = conf["data"]["redis.conf"].splitlines()
    assert "list-compress-depth 2" in lines and "list-max-listpack-size -3" in lines


def test_the_kubernetes_block_names_the_container_of_the_log_file():
    path = "/var/log/containers/orders-0_apps_orders-" + "ab" * 32 + ".log"
    raw = json.dumps({"message": "m", "log": {"file": {"path": path}}}).encode()
    event = json.loads(with_kubernetes(raw))
    assert event["message"] == "m"
    assert event["kubernetes"]["container"]["name"] == "orders"
    assert event["kubernetes"]["pod"]["name"].startswith("orders-")
