"""`diff` from the command line: the committed stacks, its sides and folders, its field
paths, and its lines against the engine's own table."""

import copy
import json

import pytest

import tests.e2e.test_diff_engine as engine_table
from components.cli import main as cli_main
from components.render.renderer import render_stack_file
from components.review.capacity import MEASURED_BYTES
from components.review.change import Changed
from components.review.fields import ABSENT, FieldChange, field_changes
from components.review.pairing import compare
from tests.configs import minimal, render_config, with_redis
from tests.e2e.engine_ops import base_stack_text, edited
from tests.review.test_diff import (
    cluster_section,
    impacts,
    run,
)

# --- the committed stacks -----------------------------------------------------

def bytes_per_event() -> int:
    """The measured figure for the generated list setting (components/review/capacity.py)."""
    return MEASURED_BYTES[(1, -5)]


def test_demo_to_dev(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "demo", "--stack", "dev")
    assert code == 1
    cluster = cluster_section(out)
    assert cluster == [
        "  ConfigMap default/redis-config → logging/redis-config: namespace changed default → "
        "logging → Pulumi replaces it, creating the new ConfigMap before deleting the old one",
        # The demo, as the tutorial, leaves redis without a memory limit.
        "  ConfigMap default/redis-config → logging/redis-config: the buffer gets a maxmemory, "
        f"where it had none: it holds about {96 * 2**20 // bytes_per_event():,} events in "
        "maxmemory 96mb, at " + str(bytes_per_event()) + " bytes an event as measured for "
        "list-compress-depth 1, list-max-listpack-size -5 with events of about 1.8 kB with "
        "their kubernetes metadata, from a mixed corpus (docs/buffer.md#sizing); give "
        "--log-rate or redis.buffer.expectedRate for the reader outage it outlasts",
        "  Service default/redis → logging/redis: namespace changed default → logging → "
        "Pulumi replaces it, creating the new Service before deleting the old one",
        "  Service default/redis → logging/redis: Service moved → clients of redis:6379 in "
        "default break",
        "  DaemonSet default/filebeat-ds: removed → Pulumi deletes it and its pods stop: the "
        "nodes it selected no longer ship logs",
        "  DaemonSet logging/filebeat: added → a pod starts on every selected node",
        "  Deployment default/redis → logging/redis: namespace changed default → logging → "
        "Pulumi replaces it, creating the new Deployment before deleting the old one; what "
        "the old pods hold in memory or emptyDir is lost (no persistent volume)",
    ]
    assert out.startswith("diff --stack demo → --stack dev: 3 moved, 11 added, 1 removed\n")


def test_dev_to_prod(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "dev", "--stack", "prod")
    assert code == 1
    cluster = cluster_section(out)
    assert cluster == [
        "  Namespace logging: Namespace removed → Pulumi deletes it, and Kubernetes deletes "
        "everything in it, including objects this stack did not create",
        # prod's exporter reads a password file of its own from the auth Secret.
        "  Secret logging/redis-auth: Secret content changed → Pulumi replaces it (delete, "
        "then create; Secrets are immutable to the provider by default); pods of Deployment "
        "logging/redis roll through the config hash",
        "  ConfigMap logging/filebeat-config: ConfigMap content changed → Pulumi replaces it "
        "(delete, then create; ConfigMaps are immutable to the provider by default); pods of "
        "DaemonSet logging/filebeat roll through the config hash",
        "  ConfigMap logging/redis-config: ConfigMap content changed → Pulumi replaces it "
        "(delete, then create; ConfigMaps are immutable to the provider by default); pods of "
        "Deployment logging/redis roll through the config hash",
        "  ConfigMap logging/redis-config: the buffer holds about "
        f"{1536 * 2**20 // bytes_per_event():,} events, was {96 * 2**20 // bytes_per_event():,} "
        f"(16.00×; {bytes_per_event()} bytes an event for list-compress-depth 1, "
        # At prod's redis.buffer.expectedRate.
        "list-max-listpack-size -5, measured, docs/buffer.md#sizing); at 2,000 events/s "
        "it outlasts a reader outage of about "
        f"{1536 * 2**20 // bytes_per_event() / 2000 / 60:.0f} minutes, was about "
        f"{96 * 2**20 // bytes_per_event() / 2000 / 60:.0f} minutes",
        "  DaemonSet logging/filebeat: pod template changed → RollingUpdate replaces pods on "
        "every selected node, at most 10% of the selected nodes unavailable at a time",
        "  DaemonSet logging/filebeat: node selection changed → pods start on newly selected "
        "nodes and stop on nodes no longer selected",
        "  Deployment logging/redis: pod template changed → Recreate stops 1 pod before "
        "starting new ones: down until the new pods are ready; what the old pods hold is "
        "lost: their new PersistentVolumeClaim redis-data starts empty",
    ]
    assert "+ PersistentVolumeClaim logging/redis-data (added)" in out


# --- the CLI ------------------------------------------------------------------

def test_same_stack_twice_is_no_change(capsys):
    assert run(capsys, "diff", "--stack", "dev", "--stack", "dev")[:2] == (
        0, "diff --stack dev → --stack dev: no changes\n")


def test_a_rendered_folder_against_its_stack(capsys, tmp_path):
    assert cli_main(["render", "--stack", "dev", "--out", str(tmp_path)]) == 0
    assert run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")[0] == 0
    service = tmp_path / "service-redis.yaml"
    service.write_text(service.read_text().replace("port: 6379", "port: 6000"))
    code, out, _ = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 1
    assert "Service logging/redis: Service port changed → clients of redis:6000 break" in out
    assert "    spec.ports[redis].port: 6000 → 6379" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--stack", "dev"], "diff needs two sides, old then new"),
    (["--stack", "dev", "--dir", "x", "--stack", "prod"], "got 3"),
])
def test_two_sides_are_required(capsys, argv, message):
    with pytest.raises(SystemExit) as exit:
        cli_main(["diff", *argv])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_unreadable_sides_exit_2(capsys, tmp_path):
    code, out, err = run(capsys, "diff", "--dir", str(tmp_path / "none"), "--stack", "dev")
    assert (code, out, err) == (2, "", f"{tmp_path}/none: not a folder\n")
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  redis-filebeat:namespce: x\n")
    code, _, err = run(capsys, "diff", "--stack", "dev", "--config", str(bad))
    assert code == 2 and "namespce" in err


@pytest.mark.parametrize(("files", "message"), [
    ({"a.yaml": "kind: [unclosed\n"}, "a.yaml:2:1: did not find expected ',' or ']'"),
    ({"a.yaml": "- 1\n"}, "a.yaml: document 1: not a Kubernetes object"),
    ({"a.yaml": "kind: X\nmetadata: {name: n}\n---\nkind: X\nmetadata: {name: n}\n"},
     "X default/n: defined twice"),
    ({"kustomization.yaml": "resources: [../base]\n"},
     "resources: ../base: leads out of the folder (`..`)"),
    ({"kustomization.yaml": "resources: [/etc/passwd]\n"},
     "resources: /etc/passwd: an absolute path"),
    ({"kustomization.yaml": "resources: [sub]\n", "sub/a.yaml": "kind: X\n"},
     "resources: sub: is a folder, not a regular file"),
    ({"kustomization.yaml": "resources: [https://example.com/x.yaml]\n"},
     "not a file in the folder (only plain files are read, not bases or URLs)"),
    ({"a.yml": "kind: X\nmetadata: {name: n, labels: {on: a, 'true': b}}\n"},
     'two keys are both "true" once written as JSON text'),
    ({"kustomization.yaml": "- a.yaml\n"}, "kustomization.yaml: not a kustomization"),
    ({"kustomization.yaml": "resources: []\n", "kustomization.yml": "resources: []\n"},
     "kustomization.yaml and kustomization.yml: kustomize refuses a folder with more than one"),
    ({"Kustomization": "resources: [a.yaml]\nnamePrefix: staging-\npatches: []\n",
      "a.yaml": "kind: X\nmetadata: {name: n}\n"},
     "Kustomization: namePrefix: diff reads the listed files as they are and does not apply "
     "kustomize's changes"),
    ({"kustomization.yaml": "resources: []\n1: x\nimages: []\n"},
     "kustomization.yaml: 1: diff reads the listed files"),
])
def test_a_folder_that_cannot_be_read(capsys, tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    code, _, err = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 2 and message in err, err
    assert all(line.startswith(f"{tmp_path}") for line in err.splitlines()), err


def test_named_items_that_only_change_order_are_a_change():
    """A pod template whose containers swap places rolls the pods: say why."""
    old = {"containers": [{"name": "a"}, {"name": "b"}]}
    assert field_changes(old, {"containers": [{"name": "b"}, {"name": "a"}]}) == [
        FieldChange("containers (order)", ["a", "b"], ["b", "a"])]
    # One added in front moves the others' indexes, not their order.
    assert field_changes(old, {"containers": [{"name": "c"}, *old["containers"]]}) == [
        FieldChange("containers[c]", ABSENT, {"name": "c"})]


@pytest.mark.parametrize("name", ["kustomization.yml", "Kustomization"])
def test_a_folder_is_read_through_any_name_kustomize_knows(capsys, tmp_path, name):
    (tmp_path / name).write_text("resources: [a.yaml]\nsortOptions: {order: legacy}\n")
    (tmp_path / "a.yaml").write_text("kind: X\nmetadata: {name: n}\n")
    (tmp_path / "notes.yaml").write_text("not: [an object, and not listed]\n")
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.yaml").write_text("kind: X\nmetadata: {name: n}\nspec: {x: 1}\n")
    code, out, err = run(capsys, "diff", "--dir", str(tmp_path), "--dir", str(new))
    assert (code, err) == (1, "")
    assert out.endswith('~ X default/n (changed)\n    spec: (absent) → {"x": 1}\n')


# --- field paths --------------------------------------------------------------

def test_field_paths_key_named_items_by_name_and_quote_odd_keys():
    from components.review.fields import ABSENT, field_changes

    old = {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}],
           "args": ["-e", "-v"], "annotations": {"checksum/config": "x"}, "gone": None}
    new = {"containers": [{"name": "b", "image": "2"}, {"name": "a", "image": "1"}],
           "args": ["-e"], "annotations": {"checksum/config": "y"}}
    assert [(c.path, c.old, c.new) for c in field_changes(old, new)] == [
        ("containers[b].image", "1", "2"),  # keyed by name, so b's index does not matter
        ("containers (order)", ["a", "b"], ["b", "a"]),  # but its place does
        ("args[1]", "-v", ABSENT),
        ('annotations["checksum/config"]', "x", "y"),
        ("gone", None, ABSENT),  # an explicit null is not an absent field
    ]


def test_values_are_shown_on_one_short_line():
    from components.review.fields import ABSENT, show

    assert show("redis:7.4-alpine") == "redis:7.4-alpine"
    assert show("two words") == '"two words"'
    assert show(None) == "null" and show(ABSENT) == "(absent)" and show(3) == "3"
    assert show({"b": 1, "a": [1]}) == '{"a": [1], "b": 1}'
    assert len(show("x" * 1000)) == 160


def test_a_malformed_object_in_a_folder_is_refused_where_it_is_read(capsys, tmp_path):
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "d", "namespace": "ns"},
              "spec": {"selector": {}, "updateStrategy": "OnDelete",
                       "template": {"spec": {"volumes": {"name": "v"},
                                             "containers": [{"env": ["A"]}]}}}}
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "ds.yaml").write_text(json.dumps(daemon))
    code, out, err = run(capsys, "diff", "--dir", str(tmp_path / "old"), "--stack", "dev")
    assert (code, out) == (2, "")
    where = f"{tmp_path / 'old' / 'ds.yaml'}: document 1: "
    assert err.splitlines() == [
        where + "spec.updateStrategy: must be a mapping, as Kubernetes requires",
        where + "spec.template.spec.volumes: must be a list, as Kubernetes requires",
        where + "spec.template.spec.containers[0].env[0]: must be a mapping, as Kubernetes "
        "requires",
    ]


def test_a_rollout_counts_the_pods_that_run_now():
    # Our redis runs one replica at most; the rule is Kubernetes', for any Deployment.
    old = [copy.deepcopy(m) for m in render_config(minimal()).manifests.objects]
    [deployment] = [m for m in old if m.kind == "Deployment"]
    deployment.body["spec"]["replicas"] = 3
    new = render_config(with_redis(image="redis:7.4.1-alpine")).manifests.objects
    diffs = compare(old, new)
    assert impacts(diffs)["Deployment default/redis"][:2] == [
        "replicas 3 → 1",
        "pod template changed → RollingUpdate replaces 3 pods, at most 25% unavailable and "
        "25% extra at a time; what the old pods hold in memory or emptyDir is lost "
        "(no persistent volume)"]


@pytest.mark.parametrize(("old", "new", "code", "expected"), [
    # YAML 1.1 reads `on` as true; dates and bytes are not JSON: read as Kubernetes would.
    ("data: {on: '1'}", "data: {on: '2'}", 1, "    data.true: 1 → 2"),
    ("metadata: {name: c, annotations: {at: 2024-01-01}}",
     "metadata: {name: c, annotations: {at: 2024-01-02}}", 1,
     "    metadata.annotations.at: 2024-01-01 → 2024-01-02"),
    ("data: &a {k: *a}", "data: {}", 2, "the alias *a is inside its own anchor"),
    ("metadata: {name: c, namespace: [a]}", "data: {}", 2, "a namespace that is text"),
])
def test_odd_yaml_in_a_folder_is_read_or_refused_never_a_traceback(
        capsys, tmp_path, old, new, code, expected):
    for side, text in (("a", old), ("b", new)):
        (tmp_path / side).mkdir()
        body = text if text.startswith("metadata") else f"metadata: {{name: c}}\n{text}"
        (tmp_path / side / "c.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\n{body}\n")
    got, out, err = run(capsys, "diff", "--dir", str(tmp_path / "a"), "--dir",
                        str(tmp_path / "b"))
    assert got == code
    assert expected in (out if code == 1 else err)


def test_a_file_line_that_starts_like_a_diff_header_is_kept():
    from components.review.fields import FieldChange, text_diff

    change = FieldChange("data.sql", "-- drop\n---\nSELECT 1;\n", "drop\nSELECT 1;\n")
    assert [line for line in text_diff(change) if line[:1] in "+-"] == [
        "--- drop", "----", "+drop"]


# --- the lines agree with the engine's table ----------------------------------

REPLACE_WORDS = ("Pulumi replaces it", "delete and re-create")
"""How an impact line says that Pulumi replaces the object itself (not its pods)."""


@pytest.mark.parametrize("row", engine_table.ROWS, ids=[row.id for row in engine_table.ROWS])
def test_an_object_the_engine_replaces_is_said_to_be_replaced(row, tmp_path):
    """tests/e2e/test_diff_engine.py's rows are what `pulumi preview` really
    does: an object it replaces gets a line that says so, and one it only
    updates gets none (a ConfigMap is replaced though our program names it)."""
    base = tmp_path / "Pulumi.e2e-abc.yaml"
    base.write_text(base_stack_text("e2e-abc", "kind-e2e"))
    after = tmp_path / "after" / base.name
    after.parent.mkdir()
    after.write_text(edited(base.read_text(), row.path, row.edit))
    diffs = compare(render_stack_file(base).manifests.objects,
                    render_stack_file(after).manifests.objects)
    said = {(d.change.latest.kind, d.change.latest.name):
            any(words in line for line in d.impacts for words in REPLACE_WORDS)
            for d in diffs if isinstance(d.change, Changed)}
    engine = dict(change.format(ns="e2e-abc").split(": ") for change in row.changes)
    replaced = {tuple(key.split(" ")): op == "replace" for key, op in engine.items()
                if op in ("replace", "update")}
    assert {key: said.get(key) for key in replaced} == replaced
