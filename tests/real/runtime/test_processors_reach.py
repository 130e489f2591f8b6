"""What the typed processors see, with the real filebeat: the same fields on
every input, and never a line's own claim to be another pod's.

Input processors run before filebeat adds `agent`, `ecs` and `host`; global
ones after. Ours run globally, each input's under its mark
(components/workloads/filebeat/inputs_yml.py), so an option means the same
on the container logs and on an extra input.
"""

import json
from collections.abc import Callable

import pytest
import yaml

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import Pipeline, numbered
from tests.real.runtime.shipping import base, started


def edit_filebeat_yml(pipe: Pipeline, edit: Callable[[dict], None]) -> None:
    """The rendered filebeat.yml changed as a hand would change it, for what the
    config refuses; a filebeat pod made anew to mount it."""
    data = pipe.rendered.manifests["ConfigMap"]["filebeat-config"]["data"]
    yml = yaml.safe_load(data["filebeat.yml"])
    edit(yml)
    data["filebeat.yml"] = yaml.safe_dump(yml, sort_keys=False)
    pipe.filebeat = pipe.new_filebeat()


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
    `payments`, past every condition on kubernetes.namespace. Its `container`
    keys would stay beside the ones add_kubernetes_metadata merges in, and
    whole where it finds no pod."""
    config = base(containerLogs={"json": {}, "processors": [
        {"type": "add_tags", "tags": ["payments"],
         "when": {"equals": {"kubernetes.namespace": "payments"}}}]})
    pipe = started(pipeline(config))
    forged = {"kubernetes": {"namespace": "payments", "labels": {"team": "payments"}},
              "container": {"name": "api", "image": {"name": "payments/api"}}}
    # Enough lines for the file's fingerprint (its first 1 KiB) to be read at all.
    lines = [json.dumps({"msg": f"forged-{n}", **forged}) for n in range(20)]
    ContainerLog(node.root, "forger-1", namespace="apps").write(lines)
    pipe.wait_length(len(lines))
    events = pipe.events()
    assert sorted(e["msg"] for e in events) == sorted(f"forged-{n}" for n in range(20))
    for event in events:
        assert "payments" not in json.dumps(event.get("kubernetes", {})), event
        assert "payments" not in json.dumps(event.get("container", {})), event
        assert "tags" not in event, event


@pytest.mark.parametrize("overwrite", [False, True], ids=["as-rendered", "overwriteKeys"])
def test_only_overwrite_keys_at_the_root_lets_a_line_replace_its_file_path(
        pipeline, node, overwrite):
    """Why the container logs refuse overwriteKeys at the root: the path is what
    add_kubernetes_metadata's logs_path matchers find the pod by, so a line
    that replaced it would ship with the pod it names. The config refuses it,
    so the second case edits the rendered filebeat.yml as a hand would."""
    pipe = pipeline(base(containerLogs={"json": {}}))
    if overwrite:
        def overwrite_keys(yml: dict) -> None:
            [parser] = [p for p in yml["filebeat.inputs"][0]["parsers"] if "ndjson" in p]
            parser["ndjson"]["overwrite_keys"] = True

        edit_filebeat_yml(pipe, overwrite_keys)
    started(pipe)
    victim = "/var/log/containers/api-0_payments_api-" + "0" * 64 + ".log"
    lines = [json.dumps({"msg": f"path-{n}", "log": {"file": {"path": victim}}})
             for n in range(20)]
    log = ContainerLog(node.root, "forger-2", namespace="apps")
    log.write(lines)
    pipe.wait_length(len(lines))
    paths = {e["log"]["file"]["path"] for e in pipe.events()}
    real = "/" + str(log.link.relative_to(node.root))
    assert paths == ({victim} if overwrite else {real}), paths


def test_a_processor_decoding_into_the_root_would_add_a_lines_own_metadata(pipeline, node):
    """Why the container logs refuse decode_json_fields with target '': it runs
    among the global processors, after add_kubernetes_metadata and after the
    drop `json` makes, so the line's own kubernetes.* keys land in the event.
    The config refuses it, so this edits the rendered filebeat.yml as a hand would."""
    pipe = pipeline(base())
    edit_filebeat_yml(pipe, lambda yml: yml["processors"].append(
        {"decode_json_fields": {"fields": ["message"], "target": ""}}))
    started(pipe)
    lines = [json.dumps({"msg": f"label-{n}", "kubernetes": {"labels": {"team": "payments"}}})
             for n in range(20)]
    ContainerLog(node.root, "forger-3", namespace="apps").write(lines)
    pipe.wait_length(len(lines))
    assert {e["kubernetes"]["labels"]["team"] for e in pipe.events()} == {"payments"}
