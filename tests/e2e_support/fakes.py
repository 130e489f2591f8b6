"""What the engine and kubectl answer, as the unit tests of the e2e suite's helpers
fake it: engine events, pods, a filebeat event, and the image the steps roll to."""

import json

import tests.e2e.test_deploy as steps

NEW_IMAGE = steps.NEW_FILEBEAT_IMAGE
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"


def pre_event(op: str, type_: str, name: str, sequence: int = 1) -> dict:
    parent = "redis-filebeat:components:Filebeat"
    urn = f"urn:pulumi:e2e-abc123::redis-filebeat::{parent}${type_}::{name}"
    return {"sequence": sequence, "timestamp": 0, "resourcePreEvent": {
        "metadata": {"op": op, "urn": urn, "type": type_, "provider": ""}}}


def pod(image: str, terminating: bool = False, container: str = "filebeat") -> dict:
    metadata = {"name": "filebeat-x"} | (
        {"deletionTimestamp": "2026-01-01T00:00:00Z"} if terminating else {})
    return {"metadata": metadata, "spec": {"containers": [{"name": container, "image": image}]}}


FILEBEAT_EVENT = json.dumps({"@timestamp": "2026-01-01T00:00:00.000Z", "message": "hello",
                             "agent": {"type": "filebeat", "version": "8.15.3"},
                             "log": {"file": {"path": "/var/log/containers/x.log"}}})
