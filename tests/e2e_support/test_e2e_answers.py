"""How the e2e suite reads what the engine and kubectl answer: change counts, the
steps the engine announces, the images pods run, and the entries filebeat wrote."""

import json

import pytest
from pulumi import automation as auto
from pulumi.automation.events import EngineEvent, SummaryEvent

from tests.e2e.answers import (
    Step,
    StepRecorder,
    filebeat_event,
    op_counts,
    running_images,
    unexpected_steps,
)
from tests.e2e_support.fakes import DAEMON_SET, FILEBEAT_EVENT, NEW_IMAGE, pod, pre_event

# The engine's answers.

def test_change_counts_read_as_plain_strings():
    summary = SummaryEvent.from_json({"resourceChanges": {"update": 1, "same": 13}})
    assert op_counts(summary.resource_changes) == {"update": 1, "same": 13}
    assert op_counts({auto.OpType.UPDATE: 2}) == {"update": 2}
    assert op_counts(None) == {}


def test_the_recorder_keeps_what_the_engine_announces():
    recorder = StepRecorder()
    for event in (pre_event("same", "pulumi:pulumi:Stack", "redis-filebeat-e2e-abc123"),
                  pre_event("update", DAEMON_SET, "filebeat", 2),
                  {"sequence": 3, "timestamp": 0, "summaryEvent": {"resourceChanges": {}}}):
        recorder(EngineEvent.from_json(event))
    [step] = recorder.changes()
    assert (step.op, step.kind, step.name) == ("update", "DaemonSet", "filebeat")
    assert step.urn.endswith("$kubernetes:apps/v1:DaemonSet::filebeat")


def step(op: str, type_: str, name: str) -> Step:
    return Step(op, type_, name, f"urn:pulumi:s::p::{type_}::{name}")


def test_only_an_in_place_update_of_the_predicted_objects_passes():
    predicted = [("DaemonSet", "filebeat")]
    assert unexpected_steps([step("update", DAEMON_SET, "filebeat")], predicted) == []
    assert unexpected_steps([step("replace", DAEMON_SET, "filebeat")], predicted) == [
        f"replace {DAEMON_SET} filebeat", "no update of DaemonSet filebeat"]
    assert unexpected_steps([step("update", DAEMON_SET, "filebeat"),
                             step("update", "kubernetes:core/v1:Secret", "redis-auth")],
                            predicted) == ["update kubernetes:core/v1:Secret redis-auth"]
    assert unexpected_steps([], predicted) == ["no update of DaemonSet filebeat"]


# kubectl's answers.

def test_terminating_pods_and_other_containers_do_not_count():
    pods = json.dumps({"items": [pod(NEW_IMAGE), pod("old", terminating=True),
                                 pod("sidecar", container="other")]})
    assert running_images(pods, "filebeat") == [NEW_IMAGE]


def test_an_entry_must_be_a_filebeat_event():
    assert filebeat_event(FILEBEAT_EVENT)["message"] == "hello"
    for entry, why in (("hello", "not JSON"), ("[1]", "not a JSON object"),
                       ('{"message": "x", "@timestamp": "t"}', "not written by filebeat"),
                       ('{"agent": {"type": "filebeat"}}', "without @timestamp, message")):
        with pytest.raises(ValueError, match=why):
            filebeat_event(entry)
