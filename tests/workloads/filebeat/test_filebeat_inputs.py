"""What filebeat reads beyond the default: the kubelet's rotated files, extra
inputs, and raw settings merged into filebeat.yml."""

import json

import pytest
import yaml

from tests.configs import minimal, refused, render_config, with_filebeat


def rendered(config: dict) -> tuple[dict, dict]:
    """filebeat.yml, and the DaemonSet's pod spec."""
    out = render_config(config).manifests
    text = out["ConfigMap"]["filebeat-config"]["data"]["filebeat.yml"]
    return yaml.safe_load(text), out["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]


def host_paths(spec: dict) -> dict[str, str]:
    return {v["name"]: v["hostPath"]["path"] for v in spec["volumes"] if "hostPath" in v}


# Rotated logs

def test_rotated_logs_are_off_by_default():
    yml, spec = rendered(minimal())
    (ours,) = yml["filebeat.inputs"]
    assert ours["paths"] == ["/var/log/containers/*.log"]
    assert "prospector.scanner.exclude_files" not in ours
    metadata = yml["processors"][0]["add_kubernetes_metadata"]
    assert "indexers" not in metadata and "default_indexers.enabled" not in metadata
    assert metadata["matchers"] == [{"logs_path": {"logs_path": "/var/log/containers/"}}]
    assert host_paths(spec)["var-log"] == "/var/log"  # /var/log/pods is already visible


def test_rotated_logs_join_our_own_input():
    """One input, so the fingerprint the registry keeps for 0.log carries over
    when the kubelet renames it 0.log.<time>: no second read, no gap."""
    yml, spec = rendered(with_filebeat(containerLogs={"rotatedLogs": True}))
    (ours,) = yml["filebeat.inputs"]
    assert ours["id"] == "kubernetes-container-logs"
    assert ours["paths"] == ["/var/log/containers/*.log", "/var/log/pods/*/*/*.log.*"]
    assert ours["prospector.scanner.exclude_files"] == ["\\.gz$", "\\.tmp$"]
    assert ours["prospector.scanner.fingerprint.enabled"] is True
    assert "file_identity.fingerprint" in ours
    metadata = yml["processors"][0]["add_kubernetes_metadata"]
    assert metadata["default_indexers.enabled"] is False
    assert metadata["indexers"] == [{"container": {}}, {"pod_uid": {}}]
    assert metadata["matchers"] == [
        {"logs_path": {"logs_path": "/var/log/containers/"}},
        {"logs_path": {"logs_path": "/var/log/pods/", "resource_type": "pod"}},
    ]
    assert host_paths(spec)["var-log"] == "/var/log"
    mounts = {m["name"]: m for m in spec["containers"][0]["volumeMounts"]}
    assert mounts["var-log"] == {"name": "var-log", "mountPath": "/var/log", "readOnly": True}


def test_rotated_logs_with_only_the_pods_directory_mounted():
    _, spec = rendered(with_filebeat(containerLogs={
        "rotatedLogs": True, "hostPaths": ["/var/log/containers", "/var/log/pods"]}))
    assert host_paths(spec)["var-log-pods"] == "/var/log/pods"


def test_rotated_logs_need_the_pods_directory_mounted():
    assert refused(with_filebeat(containerLogs={
        "rotatedLogs": True, "hostPaths": ["/var/log/containers"]})) == [
        "<render_config>: filebeat.containerLogs.rotatedLogs: containerLogs.rotatedLogs reads "
        "/var/log/pods, which is not under any of containerLogs.hostPaths; add /var/log or "
        "/var/log/pods to them"]


def test_container_logs_refuse_overwrite_keys_at_the_root():
    """Decoded at the root with overwriteKeys, a line's log.file.path replaces
    the file's, and add_kubernetes_metadata finds the pod from it
    (tests/real/runtime/test_processors_reach.py runs it)."""
    assert refused(with_filebeat(containerLogs={"json": {"overwriteKeys": True}})) == [
        "<render_config>: filebeat.containerLogs.json.overwriteKeys: overwriteKeys with "
        "target '' (the event's root) lets a log line replace log.file.path, from which "
        "add_kubernetes_metadata finds the pod, so any pod could ship as another; decode "
        "under a target (json.target: app) or leave overwriteKeys false"]


def test_container_logs_refuse_a_processor_that_decodes_into_the_root():
    """It runs after add_kubernetes_metadata, so a line's own kubernetes.* keys
    would land beside the API's (tests/real/runtime/test_processors_reach.py)."""
    decode = {"type": "decode_json_fields", "fields": ["message"], "target": ""}
    assert refused(with_filebeat(containerLogs={"processors": [
        {"type": "add_tags", "tags": ["x"]}, decode]})) == [
        "<render_config>: filebeat.containerLogs.processors[1].target: decode_json_fields "
        "with target '' merges a log line's keys into the event's root after "
        "add_kubernetes_metadata, so a line could add kubernetes.* keys of its own; decode "
        "at the root with containerLogs.json, which drops them first, or give a target"]


@pytest.mark.parametrize("fields", [
    {"containerLogs": {"processors": [
        {"type": "decode_json_fields", "fields": ["message"], "target": "app"}]}},
    {"containerLogs": {"processors": [{"type": "decode_json_fields", "fields": ["message"]}]}},
    {"extraInputs": [{"id": "node-app", "paths": ["/var/log/app.log"], "processors": [
        {"type": "decode_json_fields", "fields": ["message"], "target": ""}]}]},
], ids=["under-a-target", "in-place", "an-extra-input"])
def test_decode_json_fields_stays_where_it_cannot_reach_the_root_of_a_pods_event(fields):
    yml, _ = rendered(with_filebeat(**fields))
    assert [p for p in yml["processors"] if "decode_json_fields" in json.dumps(p)]


@pytest.mark.parametrize("fields", [
    {"containerLogs": {"json": {"overwriteKeys": True, "target": "app"}}},
    {"extraInputs": [{"id": "node-app", "paths": ["/var/log/app.log"],
                      "json": {"overwriteKeys": True}}]},
], ids=["under-a-target", "an-extra-input"])
def test_overwrite_keys_stays_where_no_line_can_pick_its_pod(fields):
    yml, _ = rendered(with_filebeat(**fields))
    ndjson = [p["ndjson"] for i in yml["filebeat.inputs"] for p in i["parsers"] if "ndjson" in p]
    assert [p["overwrite_keys"] for p in ndjson] == [True]


# Extra inputs

def test_no_extra_inputs_by_default():
    yml, _ = rendered(minimal())
    assert [i["id"] for i in yml["filebeat.inputs"]] == ["kubernetes-container-logs"]


def test_an_extra_input_comes_after_ours_with_its_parsers_and_processors():
    yml, _ = rendered(with_filebeat(extraInputs=[{
        "id": "node-audit", "paths": ["/var/log/audit/*.log"], "excludeFiles": ["\\.gz$"],
        "multiline": {"pattern": "^\\s"}, "json": {"target": "audit"},
        "processors": [{"type": "add_tags", "tags": ["audit"]}],
    }]))
    ours, extra = yml["filebeat.inputs"]
    assert ours["id"] == "kubernetes-container-logs"
    assert extra == {
        "type": "filestream", "id": "node-audit", "paths": ["/var/log/audit/*.log"],
        "prospector.scanner.exclude_files": ["\\.gz$"],
        "prospector.scanner.fingerprint.enabled": True, "file_identity.fingerprint": None,
        "parsers": [
            {"ndjson": {"target": "audit", "add_error_key": True, "overwrite_keys": False}},
            {"multiline": {"type": "pattern", "pattern": "^\\s", "negate": False,
                           "match": "after", "max_lines": 500}},
        ],
        # Its own processors run among the global ones, under this mark
        # (tests/workloads/filebeat/test_filebeat_processors.py).
        "processors": [{"add_fields": {"target": "@metadata",
                                       "fields": {"redis_filebeat_input": "node-audit"}}}],
    }


def test_a_bare_extra_input_has_no_container_parser_and_no_metadata():
    yml, _ = rendered(with_filebeat(extraInputs=[{"id": "syslog",
                                                  "paths": ["/var/log/syslog"]}]))
    assert yml["filebeat.inputs"][1] == {
        "type": "filestream", "id": "syslog", "paths": ["/var/log/syslog"],
        "prospector.scanner.fingerprint.enabled": True, "file_identity.fingerprint": None}


def test_an_extra_input_may_read_a_mounted_host_path():
    yml, spec = rendered(with_filebeat(
        hostPaths=[{"name": "journal", "path": "/run/log/journal", "mountPath": "/journal"}],
        extraInputs=[{"id": "j", "paths": ["/journal/*.log"]}]))
    assert yml["filebeat.inputs"][1]["paths"] == ["/journal/*.log"]
    assert host_paths(spec)["journal"] == "/run/log/journal"


# extraConfig

def test_no_extra_config_by_default():
    yml, _ = rendered(minimal())
    assert set(yml) == {"filebeat.inputs", "processors", "output.redis", "logging.level",
                        "http.enabled",
                        "http.host", "http.port", "queue.mem.flush.timeout"}


def test_extra_config_is_merged_in_either_spelling():
    yml, _ = rendered(with_filebeat(extraConfig={
        "queue.mem.events": 8192, "filebeat": {"registry": {"flush": "1s"}}}))
    assert yml["queue.mem.events"] == 8192
    assert yml["filebeat"] == {"registry": {"flush": "1s"}}
    assert yml["output.redis"]["key"] == "filebeat"  # ours untouched


AT = "<render_config>: filebeat"


@pytest.mark.parametrize(("fields", "message"), [
    ({"extraInputs": [{"id": "kubernetes-container-logs", "paths": ["/var/log/a.log"]}]},
     "extraInputs[0].id: 'kubernetes-container-logs' is the container logs' input's id; "
     "filebeat keeps each input's progress under its id, so each needs its own"),
    ({"extraInputs": [{"id": "a", "paths": ["/var/log/a.log"]},
                      {"id": "a", "paths": ["/var/log/b.log"]}]},
     "extraInputs[1].id: 'a' is another input's id; filebeat keeps each input's progress "
     "under its id, so each needs its own"),
    ({"extraInputs": [{"id": "a b", "paths": ["/var/log/a.log"]}]},
     "extraInputs[0].id: must be letters, digits, '.', '_' and '-', start and end with a "
     "letter or digit, and have at most 253 characters"),
    ({"extraInputs": [{"id": "a", "paths": ["/etc/a.log"]}]},
     "extraInputs[0].paths: extraInputs[0].paths has '/etc/a.log', which is not under any of "
     "containerLogs.hostPaths or hostPaths, so filebeat would find nothing there; mount its "
     "directory"),
    ({"extraInputs": [{"id": "a", "paths": []}]}, "extraInputs[0].paths: must not be empty"),
    ({"extraInputs": [{"id": "a", "paths": ["/var/log/a"], "excludeFiles": ["(?!x)"]}]},
     "extraInputs[0].excludeFiles[0]: uses a lookaround or backreference, which filebeat's "
     "RE2 lacks"),
    ({"extraConfig": {"output.file.path": "/tmp"}},
     "extraConfig.output.file.path: output is generated (output.redis from filebeat.output, "
     "the password from its Secret), and filebeat ships to one output only"),
    ({"extraConfig": {"output": {"redis": {"password": "x"}}}},
     "extraConfig.output.redis.password: output is generated (output.redis from "
     "filebeat.output, the password from its Secret), and filebeat ships to one output only"),
    ({"extraConfig": {"filebeat": {"inputs": []}}},
     "extraConfig.filebeat.inputs: filebeat.inputs holds the generated inputs; add yours as "
     "filebeat.extraInputs"),
    ({"extraConfig": {"filebeat.registry": {"path": "/x"}}},
     "extraConfig.filebeat.registry.path: filebeat.registry.path is the registry, which lives "
     "on the node at registryHostPath; set that instead"),
    ({"extraConfig": {"http.port": 9000}},
     "extraConfig.http.port: http is the endpoint the liveness probe reads; set "
     "monitoringPort instead"),
    ({"extraConfig": {"path": {"data": "/x"}}},
     "extraConfig.path.data: path places the registry (path.data) where registryMountPath "
     "mounts it, and the config; set those instead"),
    ({"extraConfig": {"logging": {"level": "debug"}}},
     "extraConfig.logging.level: logging.level is generated; set filebeat.logLevel instead"),
    ({"extraConfig": {"qeue.mem.events": 1}},
     "extraConfig.qeue.mem.events: 'qeue' is not a filebeat setting; did you mean 'queue'?"),
    ({"extraConfig": {"filebeat.shutdown_timout": "5s"}},
     "extraConfig.filebeat.shutdown_timout: 'filebeat.shutdown_timout' is not a filebeat "
     "setting; did you mean 'shutdown_timeout'?"),
    ({"generateConfig": False, "extraConfig": {"queue.mem.events": 1}},
     "extraConfig: extraConfig goes into the generated filebeat.yml, and generateConfig is false; "
     "write it into your own filebeat.yml"),
    ({"generateConfig": False, "extraInputs": [{"id": "a", "paths": ["/var/log/a"]}]},
     "extraInputs: extraInputs goes into the generated filebeat.yml, and generateConfig is false; "
     "write it into your own filebeat.yml"),
])
def test_bad_inputs_and_settings_are_refused_by_key(fields, message):
    assert refused(with_filebeat(**fields)) == [f"{AT}.{message}"]


def test_settings_below_a_known_namespace_are_not_checked():
    """What the docs say: a typo inside queue.* reaches filebeat."""
    yml, _ = rendered(with_filebeat(extraConfig={"queue.mem.evnts": 1}))
    assert yml["queue.mem.evnts"] == 1
