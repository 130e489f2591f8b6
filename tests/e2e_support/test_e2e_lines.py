"""The real node's counting and stack file, where no node runs: what the
tutorial's check counts as lost and duplicated, and what the stack it deploys
changes of dev."""

import json
import subprocess

import pytest
import yaml

from tests.e2e.real_node import lines
from tests.e2e.real_node.node import SELECTOR, stack_text
from tests.e2e_support.fakes import FILEBEAT_EVENT


def event(message: str, path: str = "/var/log/containers/w.log", offset: int = 0) -> dict:
    found = json.loads(FILEBEAT_EVENT)
    found.update(message=message, log={"file": {"path": path}, "offset": offset})
    return found


def test_the_writers_script_prints_its_numbered_lines(tmp_path):
    script = lines.script("r1", 5, settle=0).replace("exec sleep 3600", "exit 0")
    assert lines.script("r1", 5).startswith(f"sleep {lines.SETTLE_SECONDS}; ")
    printed = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert printed == [f"rfb r1 {n} {lines.PAD}" for n in range(1, 6)]
    assert sum(len(line) + 1 for line in printed) * 300 / 5 > 1024  # filebeat's fingerprint


def test_a_count_says_what_was_lost_and_duplicated():
    found = [event(f"rfb r1 {n} {lines.PAD}", offset=n) for n in (1, 2, 2, 4)]
    found.append(event(f"rfb r2 3 {lines.PAD}"))  # another writer's
    assert lines.count(found, "r1", 4) == lines.Count(4, 4, 1, 1)
    assert str(lines.count(found, "r1", 4)) == "sent 4, received 4, lost 1, duplicated 1"
    assert len(lines.of_run(found, "r1")) == 4


def test_a_place_sent_twice_is_reshipped_whoever_wrote_it():
    found = [event("a", offset=0), event("b", offset=10), event("a again", offset=0),
             event("c", path="/var/log/containers/x.log", offset=0)]
    assert lines.reshipped(found) == [("/var/log/containers/w.log", 0)]


def test_redis_clis_answer_must_be_filebeats_events():
    assert lines.events(FILEBEAT_EVENT + "\n\n") == [json.loads(FILEBEAT_EVENT)]
    with pytest.raises(ValueError, match="not JSON"):
        lines.events("(error) NOPERM this user has no permissions\n")


def test_the_real_nodes_stack_is_dev_on_the_stand_ins():
    images = {"redis": "localhost/redis-filebeat/redis:7.0.15-debian",
              "filebeat": "localhost/redis-filebeat/filebeat:9.3.0-SNAPSHOT-be9871f5dab9"}
    config = yaml.safe_load(stack_text("e2e-abc123", "local", images))["config"]
    redis, filebeat = config["redis-filebeat:redis"], config["redis-filebeat:filebeat"]
    assert (redis["image"], redis["imagePullPolicy"]) == (images["redis"], "IfNotPresent")
    assert redis["nodeSelector"] == {"kubernetes.io/os": "linux", **SELECTOR}
    assert (filebeat["image"], filebeat["imagePullPolicy"]) == (images["filebeat"],
                                                                "IfNotPresent")
    assert filebeat["nodeSelector"] == {"kubernetes.io/os": "linux"}  # dev's: both nodes
    assert config["redis-filebeat:namespace"] == "e2e-abc123"
    assert config["kubernetes:context"] == "local"


def test_the_registry_folder_goes_and_nothing_beside_it(tmp_path, monkeypatch):
    import tests.e2e.real_node.stack as real_stack

    root = tmp_path / "var" / "lib" / "redis-filebeat"
    monkeypatch.setattr(real_stack, "REGISTRY_ROOT", root)
    registry = root / "e2e-abc123" / "filebeat"
    real_stack.remove_registry(registry)  # no pod ever ran: nothing to remove, no error
    (registry / "registry").mkdir(parents=True)
    (root / "dev").mkdir()
    real_stack.remove_registry(registry)
    assert sorted(p.name for p in root.iterdir()) == ["dev"]
    (root / "dev").rmdir()
    registry.mkdir(parents=True)
    real_stack.remove_registry(registry)
    assert not root.exists() and root.parent.exists()
