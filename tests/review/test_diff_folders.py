"""`diff --dir`: a folder of manifests as a side. A rendered folder against its stack;
what is refused, one line each, where it is read; the kustomization names it is read
through; objects our program would not write (a Deployment of 3 replicas); and odd YAML,
read as Kubernetes would."""

import copy
import json

import pytest

from components.cli import main as cli_main
from components.review.pairing import compare
from tests.configs import minimal, render_config, with_redis
from tests.review.test_diff import (
    impacts,
    run,
)


def test_a_rendered_folder_against_its_stack(capsys, tmp_path):
    assert cli_main(["render", "--stack", "dev", "--out", str(tmp_path)]) == 0
    assert run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")[0] == 0
    service = tmp_path / "service-redis.yaml"
    service.write_text(service.read_text().replace("port: 6379", "port: 6000"))
    code, out, _ = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 1
    assert "Service logging/redis: Service port changed → clients of redis:6000 break" in out
    assert "    spec.ports[redis].port: 6000 → 6379" in out


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
