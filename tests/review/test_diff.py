"""`diff`: every impact rule with a minimal change, the committed stacks, and the CLI."""

import copy
import json

import pytest

import tests.e2e.test_diff_engine as engine_table
from components.cli import main as cli_main
from components.render.manifests import Manifest
from components.render.renderer import render_stack_file
from components.review.capacity import MEASURED_BYTES
from components.review.change import Changed
from components.review.fields import ABSENT, FieldChange, field_changes
from components.review.pairing import compare
from components.review.report import _fence, as_markdown, as_text
from tests.configs import minimal, render_config, with_filebeat, with_redis
from tests.e2e.engine_ops import base_stack_text, edited

DAEMON = "DaemonSet default/filebeat"
FILEBEAT_8_16 = "docker.elastic.co/beats/filebeat:8.16.0"
RESHIPPED = ("every filebeat starts with an empty registry and re-reads every container log "
             "still on its node: all retained logs are shipped again, on every node "
             "(duplicate events downstream)")


def diff(old_config: dict, new_config: dict):
    old = render_config(old_config).manifests.objects
    new = render_config(new_config).manifests.objects
    return compare(old, new)


def impacts(diffs) -> dict[str, list[str]]:
    return {d.identity: list(d.impacts) for d in diffs if d.impacts}


def fields(diffs, identity: str) -> dict[str, tuple]:
    [found] = [d for d in diffs if d.identity == identity]
    return {f.path: (f.old, f.new) for f in found.fields}


def cluster_section(text_report: str) -> list[str]:
    """The lines under "What happens in the cluster:" in a text report."""
    return text_report.split("What happens in the cluster:\n")[1].split("\n\n")[0].splitlines()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the rules, one minimal change each ---------------------------------------

def test_template_change_under_rolling_update():
    diffs = diff(minimal(), with_filebeat(image=FILEBEAT_8_16))
    assert impacts(diffs) == {DAEMON: [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 1 unavailable at a time"]}
    image = "spec.template.spec.containers[filebeat].image"
    assert fields(diffs, DAEMON)[image] == (minimal()["filebeat"]["image"], FILEBEAT_8_16)


def test_rolling_update_by_percentage_counts_nodes():
    rolling = {"type": "RollingUpdate", "maxUnavailable": "10%"}
    diffs = diff(with_filebeat(updateStrategy=rolling),
                 with_filebeat(updateStrategy=rolling, image=FILEBEAT_8_16))
    assert impacts(diffs)[DAEMON] == [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 10% of the selected nodes unavailable at a time"]


def test_rolling_update_with_surge_starts_the_new_pod_first():
    surge = {"type": "RollingUpdate", "maxUnavailable": 0, "maxSurge": 2}
    old = with_filebeat(updateStrategy=surge, registryHostPath=None)
    new = with_filebeat(updateStrategy=surge, registryHostPath=None, image=FILEBEAT_8_16)
    assert impacts(diff(old, new))[DAEMON] == [
        "pod template changed → RollingUpdate starts each node's new pod before stopping "
        "the old one, on at most 2 node(s) at a time"]


def test_on_delete_changes_no_pod():
    on_delete = {"type": "OnDelete"}
    diffs = diff(with_filebeat(updateStrategy=on_delete),
                 with_filebeat(updateStrategy=on_delete, image=FILEBEAT_8_16))
    assert impacts(diffs) == {DAEMON: ["OnDelete → no pod changes until pods are deleted"]}


def test_selector_change_recreates_the_daemon_set_and_nothing_else_is_said():
    labels = {"app.kubernetes.io/name": "filebeat", "tier": "logging"}
    diffs = diff(minimal(), with_filebeat(labels=labels))
    assert impacts(diffs)[DAEMON] == [
        "selector changed → immutable field: Pulumi will delete and re-create the DaemonSet "
        "(log gap)"]


def test_selector_change_recreates_a_deployment():
    labels = {"app.kubernetes.io/name": "redis", "tier": "buffer"}
    diffs = diff(minimal(), with_redis(labels=labels))
    assert impacts(diffs)["Deployment default/redis"] == [
        "selector changed → immutable field: Pulumi will delete and re-create the Deployment "
        "(no pods until the new ones are ready)"]


def test_service_port_change_breaks_its_clients():
    diffs = diff(minimal(), with_redis(port=6380))
    assert impacts(diffs)["Service default/redis"] == [
        "Service port changed → clients of redis:6379 break"]
    # filebeat follows the Service's port, so its pods roll too.
    assert impacts(diffs)[DAEMON][0].startswith("pod template changed → RollingUpdate")


def test_service_target_port_change_keeps_clients():
    diffs = diff(minimal(), with_redis(containerPort=6390))
    assert "Service default/redis" not in impacts(diffs)
    assert "spec.ports[redis].targetPort" in fields(diffs, "Service default/redis")


def test_config_map_change_is_a_replace_and_rolls_pods_through_the_config_hash():
    diffs = diff(minimal(), with_filebeat(output={"key": "node-logs"}))
    assert impacts(diffs)["ConfigMap default/filebeat-config"] == [
        "ConfigMap content changed → Pulumi replaces it (delete, then create; ConfigMaps are "
        "immutable to the provider by default); pods of DaemonSet default/filebeat roll "
        "through the config hash"]
    assert list(fields(diffs, DAEMON)) == [
        'spec.template.metadata.annotations["checksum/config"]']


def test_config_map_change_that_no_pod_notices_says_so():
    # A workload that mounts the ConfigMap but carries no checksum of it.
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "settings", "namespace": "ns"}, "data": {"a": "1"}}
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "agent", "namespace": "ns"},
              "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                  "metadata": {"labels": {"app": "agent"}},
                  "spec": {"containers": [{"name": "agent", "image": "agent:1"}],
                           "volumes": [{"name": "s", "configMap": {"name": "settings"}}]}}}}
    changed = copy.deepcopy(config_map)
    changed["data"]["a"] = "2"
    diffs = compare([Manifest(config_map), Manifest(daemon)],
                    [Manifest(changed), Manifest(daemon)])
    assert impacts(diffs) == {"ConfigMap ns/settings": [
        "ConfigMap content changed → Pulumi replaces it (delete, then create; ConfigMaps are "
        "immutable to the provider by default); pods of DaemonSet ns/agent do not roll: "
        "they read the new content only when they restart"]}


def test_redis_template_change_with_recreate_keeps_the_data_on_its_claim():
    persistent = {"enabled": True, "size": "1Gi"}
    diffs = diff(with_redis(persistence=persistent),
                 with_redis(persistence=persistent, image="redis:7.4.1-alpine"))
    assert impacts(diffs)["Deployment default/redis"] == [
        "pod template changed → Recreate stops 1 pod before starting new ones: down until "
        "the new pods are ready; data on PersistentVolumeClaim redis-data carries over"]


def test_a_reclassed_claim_is_deleted_first_and_waits_for_redis():
    """The provider deletes a named object before re-creating it, and the
    pvc-protection finalizer holds the delete while a pod mounts the claim."""
    diffs = diff(with_redis(persistence={"enabled": True, "storageClassName": "fast"}),
                 with_redis(persistence={"enabled": True, "storageClassName": "slow"}))
    assert impacts(diffs) == {"PersistentVolumeClaim default/redis-data": [
        "spec.storageClassName changed → immutable for Pulumi: it will delete and re-create "
        "the PersistentVolumeClaim",
        "the old claim is deleted before the new one is created (the name stays): the data "
        "on it is lost unless its PersistentVolume's reclaimPolicy is Retain",
        "Kubernetes holds that delete while pods of Deployment default/redis mount the claim "
        "(pvc-protection): `pulumi up` waits until they stop, or fails when the delete "
        "times out"]}


def test_a_reclassed_claim_and_a_redis_change_agree_that_the_data_is_lost():
    persistent = {"enabled": True, "storageClassName": "fast"}
    diffs = diff(with_redis(persistence=persistent),
                 with_redis(persistence=persistent | {"storageClassName": "slow"},
                            image="redis:7.4.1-alpine"))
    found = impacts(diffs)
    assert "the data on it is lost" in found["PersistentVolumeClaim default/redis-data"][1]
    assert found["Deployment default/redis"] == [
        "pod template changed → Recreate stops 1 pod before starting new ones: down until the "
        "new pods are ready; PersistentVolumeClaim redis-data is deleted and re-created in "
        "this change, so the new pods start on an empty claim"]


def test_turning_persistence_off_drops_the_claim_and_its_data():
    diffs = diff(with_redis(persistence={"enabled": True, "size": "1Gi"}), with_redis())
    found = impacts(diffs)
    assert found["PersistentVolumeClaim default/redis-data"] == [
        "PersistentVolumeClaim removed → Pulumi deletes it, and the data on it is lost unless "
        "its PersistentVolume's reclaimPolicy is Retain"]
    assert found["Deployment default/redis"][0].endswith(
        "; the new pods no longer mount PersistentVolumeClaim redis-data: they start empty, "
        "and what they buffer is lost with each pod (no persistent volume)")


def test_redis_template_change_without_persistence_loses_the_buffer():
    diffs = diff(minimal(), with_redis(image="redis:7.4.1-alpine"))
    assert impacts(diffs)["Deployment default/redis"] == [
        "pod template changed → RollingUpdate replaces 1 pod, at most 25% unavailable and "
        "25% extra at a time; what the old pods hold in memory or emptyDir is lost "
        "(no persistent volume)"]


def test_namespace_move_replaces_new_first():
    diffs = diff(minimal(), minimal() | {"namespace": "logging"})
    # Cluster-scoped RBAC is named after the namespace, so it is new, not moved.
    assert {d.identity: d.status for d in diffs if d.status != "moved"} == {
        "ClusterRole default-filebeat": "removed", "ClusterRole logging-filebeat": "added",
        "ClusterRoleBinding default-filebeat": "removed",
        "ClusterRoleBinding logging-filebeat": "added"}
    lines = impacts(diffs)
    assert lines["DaemonSet default/filebeat → logging/filebeat"] == [
        "namespace changed default → logging → Pulumi replaces it, creating the new DaemonSet "
        "before deleting the old one: for a moment both ship the same node logs "
        "(duplicate entries)",
        "registry moved /var/lib/redis-filebeat/default/filebeat → "
        f"/var/lib/redis-filebeat/logging/filebeat → {RESHIPPED}"]
    assert "Service moved → clients of redis:6379 in default break" in \
        lines["Service default/redis → logging/redis"]


def test_removing_the_namespace_deletes_its_contents():
    old = minimal() | {"namespace": "logging", "createNamespace": True}
    diffs = diff(old, minimal() | {"namespace": "logging"})
    assert impacts(diffs) == {"Namespace logging": [
        "Namespace removed → Pulumi deletes it, and Kubernetes deletes everything in it, "
        "including objects this stack did not create"]}


def test_node_selection_change_is_called_out():
    diffs = diff(minimal(), with_filebeat(nodeSelector={"logging": "on"}))
    assert impacts(diffs)[DAEMON][1] == (
        "node selection changed → pods start on newly selected nodes and stop on nodes no "
        "longer selected")


def test_no_change_is_empty():
    assert diff(minimal(), minimal()) == []


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


def test_markdown_is_a_pull_request_comment(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "dev", "--stack", "prod", "--format",
                       "markdown")
    assert code == 1
    # Every object both have changed: at least its app.kubernetes.io/instance, the stack.
    assert out.startswith("### redis-filebeat: `--stack dev` → `--stack prod`\n\n"
                          "**13 changed, 4 added, 1 removed**\n")
    assert ("- **DaemonSet logging/filebeat**: pod template changed → RollingUpdate replaces "
            "pods on every selected node, at most 10% of the selected nodes unavailable at a "
            "time") in out
    assert out.count("<details>") == out.count("</details>") == 18  # one per object
    assert "+  - multiline:" in out  # a ConfigMap file's added line, coloured by the diff fence


def test_a_fence_outlasts_backticks_in_values():
    assert _fence("plain") == "```"
    assert _fence("a ```` run") == "`````"
    md = as_markdown([], "a", "b")
    assert md == "### redis-filebeat: `a` → `b`\n\n**no changes**\n"


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


def test_a_long_list_of_consequences_is_cut_too():
    """A thousand DaemonSets rolling make a thousand impact lines: they get half
    the comment, and every line left out is counted."""
    def daemon_set(n: int, image: str) -> Manifest:
        return Manifest({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": {"name": f"d{n:04}", "namespace": "ns"},
                         "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                             "spec": {"containers": [{"name": "c", "image": image}]}}}})

    diffs = compare([daemon_set(n, "i:1") for n in range(1000)],
                    [daemon_set(n, "i:2") for n in range(1000)])
    md = as_markdown(diffs, "--dir a", "--dir b", limit=20_000)
    assert 19_000 < len(md) < 20_500
    consequences = md.split("#### What happens in the cluster\n\n")[1].split("\n\n")[0]
    lines = consequences.splitlines()
    assert len(md.split("#### Objects")[0]) < 10_000 + 200  # half, and the count line
    assert lines[-1] == (f"- …and {1000 - len(lines[:-1])} more, left out to fit a comment: "
                         "run `python -m components diff --dir a --dir b` to see them")
    assert all(line.startswith("- **DaemonSet ns/d") for line in lines[:-1])
    assert md.count("<details>") + int(md.rstrip().split("…and ")[-1].split()[0]) == 1000


COMMENT = ["diff", "--stack", "dev", "--stack", "prod", "--format", "markdown"]


def test_a_comment_limit_below_1000_is_refused(capsys):
    with pytest.raises(SystemExit) as exit:
        cli_main([*COMMENT, "--comment-limit", "999"])
    assert exit.value.code == 2
    assert "--comment-limit must be at least 1000" in capsys.readouterr().err


@pytest.mark.parametrize("limit", [1000, 1058, 1500, 2000, 3000, 5000])
def test_the_comment_limit_holds_with_what_was_left_out(capsys, limit):
    """The lines that count what was left out are part of the comment too."""
    assert cli_main([*COMMENT, "--comment-limit", str(limit)]) == 1
    out = capsys.readouterr().out
    assert len(out) <= limit and "left out to fit a comment" in out


@pytest.mark.parametrize("limit", [1000, 1700, 4000, 20_000])
def test_a_long_report_stays_within_any_limit(limit):
    def daemon_set(n: int, image: str) -> Manifest:
        return Manifest({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": {"name": f"d{n:04}", "namespace": "ns"},
                         "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                             "spec": {"containers": [{"name": "c", "image": image}]}}}})

    diffs = compare([daemon_set(n, "i:1") for n in range(1000)],
                    [daemon_set(n, "i:2") for n in range(1000)])
    md = as_markdown(diffs, "--dir a", "--dir b", limit=limit)
    assert limit - 300 < len(md) <= limit
    assert md.rstrip().endswith("more objects, left out to fit a comment: run "
                                "`python -m components diff --dir a --dir b` to see them")


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


def test_a_long_diff_is_cut_to_fit_a_comment():
    def config_map(n: int, text: str) -> Manifest:
        return Manifest({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": f"c{n:03}", "namespace": "ns"},
                         "data": {"f": text}})

    big = "\n".join(f"line {i}" for i in range(400))
    diffs = compare([config_map(n, big) for n in range(100)],
                    [config_map(n, big.replace("line", "LINE")) for n in range(100)])
    md = as_markdown(diffs, "--dir a", "--dir b")
    assert len(md) < 65_536
    assert md.rstrip().endswith("more objects, left out to fit a comment: run "
                                "`python -m components diff --dir a --dir b` to see them")
    assert md.count("<details>") == md.count("</details>") == 5


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


def test_markdown_marks_file_lines_that_start_like_a_diff_header():
    """text_diff drops the headers already, so a removed `---` or an added
    `+++c` is a file's line and must show as removed or added."""
    def config_map(text: str) -> Manifest:
        return Manifest({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "c", "namespace": "ns"}, "data": {"f": text}})

    md = as_markdown(compare([config_map("a\n---\n---c\n")], [config_map("a\n+++c\n")]),
                     "a", "b")
    fenced = md.split("```diff\n")[1].split("```")[0].splitlines()
    assert [line for line in fenced if line[:1] in "+-"] == ["----", "----c", "++++c"]


def test_markdown_escapes_object_names():
    hostile = Manifest({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": "<details><summary>x"}})
    md = as_markdown(compare([hostile], []), "a", "b")
    assert "- **Namespace \\<details\\>\\<summary\\>x**" in md
    assert md.splitlines().count("<details>") == md.splitlines().count("</details>") == 1


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


# --- state kept on the node ---------------------------------------------------


def test_moving_the_registry_reships_every_retained_log():
    diffs = diff(with_filebeat(registryHostPath="/var/lib/a"),
                 with_filebeat(registryHostPath="/var/lib/b"))
    assert impacts(diffs) == {DAEMON: [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 1 unavailable at a time",
        f"registry moved /var/lib/a → /var/lib/b → {RESHIPPED}"]}
    # Said as the impact it is, in both reports.
    assert f"  {DAEMON}: registry moved /var/lib/a → /var/lib/b → {RESHIPPED}" in \
        cluster_section(as_text(diffs, "a", "b"))
    assert f"- **{DAEMON}**: registry moved /var/lib/a → /var/lib/b → {RESHIPPED}" in \
        as_markdown(diffs, "a", "b")


def test_a_renamed_filebeat_moves_the_default_registry():
    lines = impacts(diff(minimal(), with_filebeat(name="shipper")))
    assert lines["DaemonSet default/shipper"] == [
        "added → a pod starts on every selected node",
        "registry moved /var/lib/redis-filebeat/default/filebeat → "
        f"/var/lib/redis-filebeat/default/shipper → {RESHIPPED}"]


def test_a_registry_in_the_pod_is_reshipped_on_every_restart():
    lines = impacts(diff(minimal(), with_filebeat(registryHostPath=None)))
    assert lines[DAEMON][1] == (
        "registry no longer kept on the node (/var/lib/redis-filebeat/default/filebeat) → "
        f"{RESHIPPED}, and again each time a pod restarts")


def test_node_classes_share_the_registry_so_nothing_is_reshipped():
    classes = {"arm": {"nodeSelector": {"kubernetes.io/arch": "arm64"}}}
    lines = impacts(diff(minimal(), with_filebeat(nodeClasses=classes)))
    # One line, the shared registry's lock (test_diff_shared_state.py), and none of a move.
    [line] = lines["DaemonSet default/filebeat-arm"]
    assert "registry moved" not in line and RESHIPPED not in line
    # A stack new to the cluster has nothing to re-ship: no line either.
    assert impacts(compare([], render_config(minimal()).manifests.objects))[DAEMON] == [
        "added → a pod starts on every selected node"]


def test_another_daemons_moved_host_state_is_named_as_such():
    def agent(path: str, read_only: bool = False) -> Manifest:
        return Manifest({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": {"name": "agent", "namespace": "ns"},
                         "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                             "metadata": {"labels": {"app": "agent"}},
                             "spec": {"containers": [{
                                 "name": "agent", "image": "example.com/agent:1",
                                 "volumeMounts": [{"name": "state", "mountPath": "/s",
                                                   "readOnly": read_only}]}],
                                 "volumes": [{"name": "state", "hostPath": {"path": path}}]}}}})

    diffs = compare([agent("/var/a")], [agent("/var/b")])
    assert impacts(diffs)["DaemonSet ns/agent"][1] == (
        "hostPath volume state moved /var/a → /var/b → the new pods start on an empty "
        "directory on every node; what the old pods kept stays behind in /var/a")
    # A path the pods only read holds no state of theirs.
    read_only = compare([agent("/var/a", read_only=True)], [agent("/var/b", read_only=True)])
    assert len(impacts(read_only)["DaemonSet ns/agent"]) == 1


def test_a_host_path_that_is_not_text_is_refused_where_it_is_read(capsys, tmp_path):
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "d", "namespace": "ns"},
              "spec": {"template": {"spec": {
                  "volumes": [{"name": "v", "hostPath": {"path": ["/a"]}}],
                  "containers": [{"image": 1, "volumeMounts": [{"name": {"v": 1}}]}]}}}}
    (tmp_path / "ds.yaml").write_text(json.dumps(daemon))
    code, _, err = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 2
    assert [line.split(": document 1: ")[1] for line in err.splitlines()] == [
        "spec.template.spec.volumes[0].hostPath.path: must be text, as Kubernetes requires",
        "spec.template.spec.containers[0].image: must be text, as Kubernetes requires",
        "spec.template.spec.containers[0].volumeMounts[0].name: must be text, as Kubernetes "
        "requires"]
