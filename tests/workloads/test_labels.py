"""The labels on every object: Kubernetes' recommended ones, and selectors left as they were.

A DaemonSet's or Deployment's `spec.selector` is immutable: changing it makes
Pulumi delete and re-create the workload (for filebeat, a gap in the logs).
So labels are added to objects and pod templates only, and every selector of
every committed stack is compared with `stack_selectors.json`, written from
the render before the recommended labels (main at d6a4d0a). What the engine
plans for a stack deployed before them: tests/e2e/test_diff_engine.py.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import components.workloads.labels
import components.workloads.program
from components.config.kube.names import is_label_value
from components.render.folder import write_folder
from components.render.manifests import Manifests
from components.render.renderer import find_stack_file, render_stack_file
from components.review.pairing import compare
from tests.cli import cli
from tests.configs import ROOT, STACKS, minimal, refused, render_config, with_filebeat

ADDED = ("app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
         "app.kubernetes.io/part-of")
"""What objects lacked before; `app.kubernetes.io/name` was, and is, the default selector."""

SELECTORS_FILE = Path(__file__).with_name("stack_selectors.json")
COMMITTED = [stack for stack in STACKS if not stack.startswith("e2e-")]
"""stacks/ less a stack file the e2e suite left behind (docs/e2e.md)."""
SELECTOR_KEYS = frozenset({"selector", "podSelector", "namespaceSelector", "labelSelector"})
"""Where Kubernetes objects (and the ServiceMonitor) select by label."""


@cache
def rendered(stack: str) -> list[dict[str, Any]]:
    return render_stack_file(find_stack_file(stack, ROOT)).manifests.documents()


def selectors(node: Any, path: str = "") -> dict[str, Any]:
    """Every label selector in `node`, by its path in the object."""
    found: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key in SELECTOR_KEYS and isinstance(value, dict):
                found[here] = value
            else:
                found |= selectors(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found |= selectors(item, f"{path}[{index}]")
    return found


def stack_selectors(stack: str) -> dict[str, dict[str, Any]]:
    by_object = {}
    for document in rendered(stack):
        metadata = document["metadata"]
        identity = f"{document['kind']} {metadata.get('namespace', '-')}/{metadata['name']}"
        if found := selectors(document):
            by_object[identity] = found
    return by_object


@pytest.mark.parametrize("stack", COMMITTED)
def test_every_selector_is_as_it_was(stack):
    """If this fails on purpose, every deployed stack sees the change: a new
    selector replaces the workload. Rewrite the file only with that in mind:
    python -c 'import json, tests.workloads.test_labels as t; print(json.dumps(
    {s: t.stack_selectors(s) for s in t.COMMITTED}, indent=1,
    sort_keys=True))' > tests/workloads/stack_selectors.json"""
    assert stack_selectors(stack) == json.loads(SELECTORS_FILE.read_text())[stack]


def test_the_selectors_file_covers_every_committed_stack():
    assert sorted(json.loads(SELECTORS_FILE.read_text())) == COMMITTED


# Every object, and every pod template, carries the four.

def recommended(name: str, stack: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": stack,
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "redis-filebeat"}


def label_sets(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The object's labels, and its pod template's when it has one."""
    found = {"metadata.labels": document["metadata"].get("labels") or {}}
    template = (document.get("spec") or {}).get("template")
    if isinstance(template, dict):
        found["spec.template.metadata.labels"] = template["metadata"].get("labels") or {}
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_object_and_pod_carries_the_recommended_labels(stack):
    names = {"redis", "filebeat", "filebeat-ds", "redis-filebeat"}
    for document in rendered(stack):
        for where, labels in label_sets(document).items():
            name = labels.get("app.kubernetes.io/name")
            assert name in names, (document["kind"], where, labels)
            assert labels.items() >= recommended(name, stack).items(), (document["kind"], where)


def test_the_namespace_is_the_projects():
    manifests = render_config(minimal() | {"namespace": "logging", "createNamespace": True},
                              stack="staging").manifests
    assert manifests["Namespace"]["logging"]["metadata"]["labels"] == recommended(
        "redis-filebeat", "staging")


def test_the_instance_is_the_stack_the_render_runs_as():
    manifests = render_config(minimal(), stack="staging").manifests
    for kind, name in (("Deployment", "redis"), ("DaemonSet", "filebeat")):
        body = manifests[kind][name]
        assert body["metadata"]["labels"] == recommended(name, "staging")
        assert body["spec"]["template"]["metadata"]["labels"] == recommended(name, "staging")
        assert body["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": name}}


@pytest.mark.parametrize("stack", ["_scratch", "a" * 100, "x." + "y" * 70])
def test_a_stack_name_that_is_no_label_value_gets_one(stack):
    """Pulumi allows 100 characters and a leading `_`; a label value does not,
    and an invalid one would have the API server refuse every object."""
    manifests = render_config(minimal(), stack=stack).manifests
    instance = manifests["Deployment"]["redis"]["metadata"]["labels"][ADDED[0]]
    assert instance and is_label_value(instance)  # the API's schema does not check it
    other = render_config(minimal(), stack=stack + "z").manifests
    assert instance != other["Deployment"]["redis"]["metadata"]["labels"][ADDED[0]]


def test_a_stacks_own_labels_win():
    """A stack that set a recommended label itself keeps its value, on the
    selector and everywhere else; `podLabels` win on the pods alone."""
    config = with_filebeat(labels={"app.kubernetes.io/name": "filebeat",
                                   "app.kubernetes.io/part-of": "logs"},
                           podLabels={"app.kubernetes.io/managed-by": "someone"})
    manifests = render_config(config).manifests
    daemon_set = manifests["DaemonSet"]["filebeat"]
    assert daemon_set["spec"]["selector"]["matchLabels"] == config["filebeat"]["labels"]
    for labels in (daemon_set["metadata"]["labels"],
                   manifests["ConfigMap"]["filebeat-config"]["metadata"]["labels"]):
        assert labels == {**recommended("filebeat", "test"), "app.kubernetes.io/part-of": "logs"}
    assert daemon_set["spec"]["template"]["metadata"]["labels"] == {
        **recommended("filebeat", "test"), "app.kubernetes.io/part-of": "logs",
        "app.kubernetes.io/managed-by": "someone"}


def test_node_classes_add_their_label_and_keep_their_selectors():
    config = with_filebeat(nodeClasses={"big": {"nodeSelector": {"size": "big"}},
                                        "small": {"nodeSelector": {"size": "small"}}})
    daemon_sets = render_config(config).manifests["DaemonSet"]
    for node_class in ("big", "small"):
        body = daemon_sets[f"filebeat-{node_class}"]
        selector = {"app.kubernetes.io/name": "filebeat", "node-class": node_class}
        assert body["spec"]["selector"] == {"matchLabels": selector}
        for labels in (body["metadata"]["labels"], body["spec"]["template"]["metadata"]["labels"]):
            assert labels == {**recommended("filebeat", "test"), **selector}


# The recommended labels are not selectors, but a stack's selector may use them.

@pytest.mark.parametrize(("config", "line"), [
    ({"redis": {"labels": {"app.kubernetes.io/part-of": "redis-filebeat"}}},
     "redis.labels: redis.labels overlaps the app.kubernetes.io/ labels of filebeat's pods"),
    # The stack's name is not known to config; both workloads carry the same one.
    ({"filebeat": {"labels": {"app.kubernetes.io/instance": "prod"}}},
     "filebeat.labels: filebeat.labels overlaps the app.kubernetes.io/ labels of redis' pods"),
])
def test_a_selector_that_would_match_the_other_workloads_pods_is_refused(config, line):
    merged = minimal()
    for workload, fields in config.items():
        merged[workload].update(fields)
    [refusal] = refused(merged)
    assert line + ": one workload's selector would also match the other's pods" in refusal


# What a deployed stack sees: label updates, nothing replaced.

def rendered_before_the_labels(stack_file: Path, monkeypatch) -> Manifests:
    """The stack as it rendered before the recommended labels (and as the e2e test
    deploys it first): the same program, with no recommended labels on any object
    and none on the Namespace. For the four committed stacks, this is byte for byte
    what main at d6a4d0a rendered."""
    with monkeypatch.context() as patch:
        patch.setattr(components.workloads.labels, "recommended_labels",
                      lambda name, instance: {})
        patch.setattr(components.workloads.program, "stack_labels", lambda: None)
        return render_stack_file(stack_file).manifests


@pytest.mark.parametrize("stack", STACKS)
def test_a_deployed_stack_sees_label_updates_and_no_replacement(stack, tmp_path, monkeypatch):
    now = render_stack_file(find_stack_file(stack, ROOT)).manifests
    then = rendered_before_the_labels(find_stack_file(stack, ROOT), monkeypatch)
    diffs = compare(then.objects, now.objects)
    assert {d.identity for d in diffs} == {m.identity() for m in now.objects}
    assert not [d.identity for d in diffs if d.replaced or d.status != "changed"]
    assert {field.path.partition("[")[0] for d in diffs for field in d.fields} <= {
        "metadata.labels", "spec.template.metadata.labels"}
    # As `diff` prints it: only the pods of each workload roll, through their template.
    write_folder(then, tmp_path / "then")
    write_folder(now, tmp_path / "now")
    result = cli("diff", "--dir", str(tmp_path / "then"), "--dir", str(tmp_path / "now"))
    assert result.returncode == 1, result.stderr
    consequences = result.stdout.split("\n\n")[1].splitlines()
    assert consequences[0] == "What happens in the cluster:"
    workloads = {(m.kind, m.name) for m in now.objects if m.kind in ("DaemonSet", "Deployment")}
    assert len(consequences[1:]) == len(workloads)
    assert all(": pod template changed → " in line for line in consequences[1:])
