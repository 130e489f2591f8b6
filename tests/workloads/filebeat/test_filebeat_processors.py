"""Typed processors on the container logs' input, and their when-conditions:
each as filebeat 8 reads it, after add_kubernetes_metadata.

They run among filebeat's global processors, on the container input's events
only (components/workloads/filebeat/inputs_yml.py says why): `processors`
below reads them back as what runs on those events, in order."""

import pytest
import yaml

from components.workloads.filebeat.inputs_yml import MARK
from tests.configs import minimal, refused, render_config, with_filebeat

K8S = "add_kubernetes_metadata"
ONLY_OURS = {"equals": {MARK: "kubernetes-container-logs"}}
UNMARK = {"drop_fields": {"fields": [MARK], "ignore_missing": True}}


def filebeat_yml(config: dict) -> dict:
    text = render_config(config).manifests["ConfigMap"]["filebeat-config"]["data"]["filebeat.yml"]
    return yaml.safe_load(text)


def processors(config: dict) -> list[dict]:
    """The global processors that touch the container input's events, in order."""
    ran = []
    for processor in filebeat_yml(config)["processors"]:
        if "if" in processor:
            assert processor["if"] == ONLY_OURS
            ran += processor["then"]
        elif processor != UNMARK:
            ran.append(processor)
    return ran


def test_the_container_inputs_processors_run_on_its_own_events_only():
    yml = filebeat_yml(with_filebeat(
        containerLogs={"processors": [{"type": "add_tags", "tags": ["shipped"]}]},
        extraInputs=[{"id": "node-audit", "paths": ["/var/log/audit/*.log"]}]))
    ours, extra = yml["filebeat.inputs"]
    assert ours["processors"] == [{"add_fields": {
        "target": "@metadata", "fields": {"redis_filebeat_input": "kubernetes-container-logs"}}}]
    assert extra["processors"] == [{"add_fields": {
        "target": "@metadata", "fields": {"redis_filebeat_input": "node-audit"}}}]
    assert [next(iter(p)) for p in yml["processors"]] == [K8S, "if", "drop_fields"]
    assert yml["processors"][1] == {"if": ONLY_OURS, "then": [{"add_tags": {"tags": ["shipped"]}}]}
    assert yml["processors"][2] == UNMARK  # the redis output would ship it


def test_an_extra_inputs_processors_run_globally_too_under_its_own_mark():
    """Input processors run before filebeat adds agent, ecs and host; global
    ones after. Run in its input, `drop_fields: [agent, ecs, host]` left all
    three on an extra input's events and a condition on host.name never
    matched, while on the container logs both worked."""
    yml = filebeat_yml(with_filebeat(
        containerLogs={"processors": [{"type": "add_tags", "tags": ["container"]}]},
        extraInputs=[{"id": "syslog", "paths": ["/var/log/syslog"]},
                     {"id": "node-audit", "paths": ["/var/log/audit/*.log"],
                      "processors": [{"type": "drop_fields", "fields": ["agent", "ecs"]}]}]))
    _, syslog, audit = yml["filebeat.inputs"]
    assert audit["processors"] == [{"add_fields": {
        "target": "@metadata", "fields": {"redis_filebeat_input": "node-audit"}}}]
    # Marked too, though it has no processors: a line it decodes with
    # overwriteKeys cannot then mark itself as another input's.
    assert syslog["processors"] == [{"add_fields": {
        "target": "@metadata", "fields": {"redis_filebeat_input": "syslog"}}}]
    assert yml["processors"][1:] == [
        {"if": ONLY_OURS, "then": [{"add_tags": {"tags": ["container"]}}]},
        {"if": {"equals": {MARK: "node-audit"}},
         "then": [{"drop_fields": {"fields": ["agent", "ecs"], "ignore_missing": False}}]},
        UNMARK,
    ]


@pytest.mark.parametrize(("target", "dropped"), [("", True), ("app", False)])
def test_a_json_line_cannot_bring_its_own_kubernetes_metadata(target, dropped):
    """Decoded at the root, a line's `kubernetes` key would make
    add_kubernetes_metadata skip the event, which would then ship as
    whatever namespace and labels the line says; its `container` keys would
    survive the merge add_kubernetes_metadata makes there."""
    yml = filebeat_yml(with_filebeat(containerLogs={"json": {"target": target}}))
    forged = {"drop_fields": {"fields": ["kubernetes", "container"], "ignore_missing": True}}
    assert yml["filebeat.inputs"][0].get("processors") == ([forged] if dropped else None)


def test_add_kubernetes_metadata_is_global_and_nothing_is_marked_without_processors():
    """Built once: in an input's `processors` it was built again for each file
    filebeat opened, and a new pod's first lines went out without metadata."""
    yml = filebeat_yml(minimal())
    assert "processors" not in yml["filebeat.inputs"][0]
    assert [next(iter(p)) for p in yml["processors"]] == [K8S]


def test_extra_configs_global_processors_come_after_ours():
    yml = filebeat_yml(with_filebeat(extraConfig={"processors": [{"add_host_metadata": {}}]}))
    assert [next(iter(p)) for p in yml["processors"]] == [K8S, "add_host_metadata"]


def test_extra_configs_processors_must_be_a_list():
    assert refused(with_filebeat(extraConfig={"processors": {"add_host_metadata": {}}})) == [
        "<render_config>: filebeat.extraConfig.processors: must be a list of processors, "
        "as in filebeat.yml"]


def with_processors(*entries: dict) -> dict:
    return with_filebeat(containerLogs={"processors": list(entries)})


def test_default_is_add_kubernetes_metadata_alone():
    assert [next(iter(p)) for p in processors(minimal())] == [K8S]


def test_ours_come_first_then_yours_in_order():
    """Conditions on kubernetes.* can only match once the metadata is there."""
    rendered = processors(with_processors(
        {"type": "drop_event", "when": {"equals": {"kubernetes.namespace": "kube-system"}}},
        {"type": "add_tags", "tags": ["shipped"]},
    ))
    assert [next(iter(p)) for p in rendered] == [K8S, "drop_event", "add_tags"]
    assert rendered[1:] == [
        {"drop_event": {"when": {"equals": {"kubernetes.namespace": "kube-system"}}}},
        {"add_tags": {"tags": ["shipped"]}},
    ]


@pytest.mark.parametrize(("given", "rendered"), [
    ({"type": "drop_fields", "fields": ["agent", "/^ecs\\./"]},
     {"drop_fields": {"fields": ["agent", "/^ecs\\./"], "ignore_missing": False}}),
    ({"type": "drop_fields", "fields": ["agent"], "ignoreMissing": True},
     {"drop_fields": {"fields": ["agent"], "ignore_missing": True}}),
    ({"type": "include_fields", "fields": ["message", "kubernetes"]},
     {"include_fields": {"fields": ["message", "kubernetes"]}}),
    ({"type": "rename", "fields": [{"from": "log.level", "to": "level"}]},
     {"rename": {"fields": [{"from": "log.level", "to": "level"}], "ignore_missing": False,
                 "fail_on_error": True}}),
    ({"type": "rename", "fields": [{"from": "a", "to": "b"}], "ignoreMissing": True,
      "failOnError": False},
     {"rename": {"fields": [{"from": "a", "to": "b"}], "ignore_missing": True,
                 "fail_on_error": False}}),
    ({"type": "add_fields", "fields": {"cluster": "eu-1", "owner": {"team": 7}}},
     {"add_fields": {"fields": {"cluster": "eu-1", "owner": {"team": 7}}}}),
    ({"type": "add_fields", "target": "", "fields": {"cluster": "eu-1"}},
     {"add_fields": {"target": "", "fields": {"cluster": "eu-1"}}}),
    ({"type": "add_tags", "tags": ["a", "b"], "target": "labels.tags"},
     {"add_tags": {"tags": ["a", "b"], "target": "labels.tags"}}),
    ({"type": "decode_json_fields", "fields": ["message"]},
     {"decode_json_fields": {"fields": ["message"], "process_array": False, "max_depth": 1,
                             "overwrite_keys": False, "add_error_key": False,
                             "expand_keys": False}}),
    ({"type": "decode_json_fields", "fields": ["message"], "processArray": True, "maxDepth": 3,
      "target": "app", "overwriteKeys": True, "addErrorKey": True, "expandKeys": True,
      "documentId": "id"},
     {"decode_json_fields": {"fields": ["message"], "process_array": True, "max_depth": 3,
                             "overwrite_keys": True, "add_error_key": True,
                             "expand_keys": True, "target": "app", "document_id": "id"}}),
])
def test_each_processor_in_filebeats_words(given, rendered):
    assert processors(with_processors(given))[1:] == [rendered]


@pytest.mark.parametrize(("when", "rendered"), [
    ({"equals": {"kubernetes.namespace": "web", "http.code": 200, "ok": True}},
     {"equals": {"kubernetes.namespace": "web", "http.code": 200, "ok": True}}),
    ({"contains": {"message": "DEBUG"}}, {"contains": {"message": "DEBUG"}}),
    ({"regexp": {"message": "^GET /health"}}, {"regexp": {"message": "^GET /health"}}),
    ({"hasFields": ["kubernetes.labels.app"]}, {"has_fields": ["kubernetes.labels.app"]}),
    ({"and": [{"equals": {"a": "x"}}, {"not": {"hasFields": ["b"]}}]},
     {"and": [{"equals": {"a": "x"}}, {"not": {"has_fields": ["b"]}}]}),
    ({"or": [{"contains": {"a": "x"}}, {"regexp": {"b": "y+"}}]},
     {"or": [{"contains": {"a": "x"}}, {"regexp": {"b": "y+"}}]}),
])
def test_conditions_in_filebeats_words(when, rendered):
    entry = processors(with_processors({"type": "drop_event", "when": when}))[1]
    assert entry == {"drop_event": {"when": rendered}}


def test_a_condition_on_any_processor():
    entry = processors(with_processors(
        {"type": "drop_fields", "fields": ["agent"], "when": {"hasFields": ["agent"]}}))[1]
    assert entry == {"drop_fields": {"fields": ["agent"], "ignore_missing": False,
                                     "when": {"has_fields": ["agent"]}}}


AT = "filebeat.containerLogs.processors[0]"
ONE_OF = ("a condition is exactly one of equals, contains, regexp, hasFields, and, or, not; "
          "combine several with and")


@pytest.mark.parametrize(("entry", "message"), [
    ({"type": "drop_evnt"}, f"{AT}: unknown processor type 'drop_evnt'; did you mean "
                            "'drop_event'?"),
    ({"type": "grok"}, f"{AT}: unknown processor type 'grok'; the typed ones are drop_event, "
                       "drop_fields, include_fields, rename, add_fields, add_tags, "
                       "decode_json_fields"),
    ({"fields": ["a"]}, f"{AT}: needs a type, one of drop_event, drop_fields, include_fields, "
                        "rename, add_fields, add_tags, decode_json_fields"),
    ({"type": "drop_event"}, f"{AT}.when: is required"),
    ({"type": "drop_fields", "fields": []}, f"{AT}.fields: must not be empty"),
    ({"type": "include_fields", "fields": []}, f"{AT}.fields: must not be empty"),
    ({"type": "add_tags", "tags": []}, f"{AT}.tags: must not be empty"),
    ({"type": "add_fields", "fields": {}}, f"{AT}.fields: must not be empty"),
    ({"type": "rename", "fields": [{"from": "a"}]}, f"{AT}.fields[0].to: is required"),
    ({"type": "decode_json_fields", "fields": ["m"], "maxDepth": 0},
     f"{AT}.maxDepth: should be greater than or equal to 1 (got 0)"),
    ({"type": "drop_fields", "fields": ["a"], "ignoreMising": True},
     f"{AT}.ignoreMising: unknown key; did you mean 'ignoreMissing'?"),
    ({"type": "drop_event", "when": {}}, f"{AT}.when: is empty: {ONE_OF}"),
    ({"type": "drop_event", "when": {"equals": {"a": 1}, "contains": {"b": "c"}}},
     f"{AT}.when: has equals and contains: {ONE_OF}"),
    ({"type": "drop_event", "when": {"equals": {}}}, f"{AT}.when.equals: must not be empty"),
    ({"type": "drop_event", "when": {"equals": {"a": -1}}},
     f"{AT}.when.equals.a: must not be negative: filebeat compares numbers as unsigned, so "
     "it would never match"),
    ({"type": "drop_event", "when": {"regexp": {"m": "(?=x)"}}},
     f"{AT}.when.regexp.m: uses a lookaround or backreference, which filebeat's RE2 lacks"),
    ({"type": "drop_event", "when": {"and": []}}, f"{AT}.when.and: must not be empty"),
    ({"type": "drop_event", "when": {"not": {"hasField": ["a"]}}},
     f"{AT}.when.not.hasField: unknown key; did you mean 'hasFields'?"),
])
def test_bad_processors_are_refused_by_key(entry, message):
    lines = refused(with_processors(entry))
    assert [line.split(": ", 1)[1] for line in lines] == [message]
