"""What the typed processors see, with the real filebeat: the same fields on
every input, and never a line's own claim to be another pod's.

Input processors run before filebeat adds `agent`, `ecs` and `host`; global
ones after. Ours run globally, each input's under its mark
(components/workloads/filebeat/inputs_yml.py), so an option means the same
on the container logs and on an extra input.
"""

import json

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered
from tests.real.runtime.shipping import base, started

SAME = [{"type": "drop_fields", "fields": ["agent", "ecs"]},
        {"type": "add_tags", "tags": ["on-a-host"], "when": {"hasFields": ["host.name"]}}]


def test_an_extra_input_and_the_container_logs_see_the_same_fields(pipeline, node):
    config = base(containerLogs={"processors": SAME},
                  extraInputs=[{"id": "node-app", "paths": ["/var/log/app/*.log"],
                                "processors": SAME}])
    pipe = started(pipeline(config))
    container_lines, host_lines = numbered("container", 50), numbered("host file", 50)
    ContainerLog(node.root, "reach-1").write(container_lines)
    host_file = node.root / "var/log/app/app.log"
    host_file.parent.mkdir(parents=True)
    host_file.write_text("".join(f"{line}\n" for line in host_lines))
    pipe.wait_message(container_lines[-1])
    pipe.wait_message(host_lines[-1])
    events = {e["message"]: e for e in pipe.events()}
    for line in (*container_lines, *host_lines):
        event = events[line]
        assert "agent" not in event and "ecs" not in event, event
        assert event["tags"] == ["on-a-host"], event
        assert event["host"]["name"], event


def test_a_json_line_cannot_claim_another_pods_metadata(pipeline, node):
    """Decoded at the root, a `kubernetes` key of the line's own made
    add_kubernetes_metadata pass the event by: a pod in `apps` shipped as
    `payments`, past every condition on kubernetes.namespace."""
    config = base(containerLogs={"json": {}, "processors": [
        {"type": "add_tags", "tags": ["payments"],
         "when": {"equals": {"kubernetes.namespace": "payments"}}}]})
    pipe = started(pipeline(config))
    forged = {"kubernetes": {"namespace": "payments", "labels": {"team": "payments"}}}
    # Enough lines for the file's fingerprint (its first 1 KiB) to be read at all.
    lines = [json.dumps({"msg": f"forged-{n}", **forged}) for n in range(20)]
    ContainerLog(node.root, "forger-1", namespace="apps").write(lines)
    pipe.wait_length(len(lines))
    events = pipe.events()
    assert sorted(e["msg"] for e in events) == sorted(f"forged-{n}" for n in range(20))
    for event in events:
        assert "payments" not in json.dumps(event.get("kubernetes", {})), event
        assert "tags" not in event, event
