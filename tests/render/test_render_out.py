"""`render --out`: the folder it writes (one file per object and a kustomization),
and the files in it that it replaces, removes, or refuses to touch.

Together because each drives the same folder through one or more renders; how a
GitOps pipeline reads that folder is in test_gitops_folder.py."""

import pytest
import yaml

from tests.cli import cli


def test_out_writes_a_folder_kustomize_can_read(tmp_path):
    result = cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    kustomization = yaml.safe_load((tmp_path / "kustomization.yaml").read_text())
    assert kustomization["resources"] == [
        "namespace-logging.yaml", "networkpolicy-filebeat.yaml", "networkpolicy-redis.yaml",
        "resourcequota-filebeat-critical-pods.yaml", "serviceaccount-filebeat.yaml",
        "secret-filebeat-redis-auth.yaml",
        "secret-redis-auth.yaml", "configmap-filebeat-config.yaml", "configmap-redis-config.yaml",
        "clusterrole-logging-filebeat.yaml", "clusterrolebinding-logging-filebeat.yaml",
        "service-redis.yaml", "daemonset-filebeat.yaml", "deployment-redis.yaml"]
    rendered = [yaml.safe_load((tmp_path / name).read_text())
                for name in kustomization["resources"]]
    assert rendered == list(yaml.safe_load_all(cli("render", "--stack", "dev").stdout))


def test_out_removes_files_of_objects_that_are_gone(tmp_path):
    (tmp_path / "keep-me.txt").write_text("not ours")
    cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert (tmp_path / "namespace-logging.yaml").exists()
    cli("render", "--stack", "prod", "--out", str(tmp_path))  # prod creates no Namespace
    assert not (tmp_path / "namespace-logging.yaml").exists()
    assert (tmp_path / "keep-me.txt").exists()


@pytest.mark.parametrize(("name", "text", "message"), [
    ("kustomization.yaml", "resources: [mine.yaml]\n",
     "was not written by this renderer; render into a folder of its own, or remove the file"),
    ("service-redis.yaml", "kind: Service\n",
     "was not written by this renderer; render into a folder of its own, or remove the file"),
    ("kustomization.yml", "resources: []\n",
     "a kustomization of someone else's; kustomize refuses a folder with two, so render into "
     "a folder of its own"),
])
def test_out_refuses_to_replace_files_it_did_not_write(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    result = cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"{tmp_path / name}: {message}"
    assert (tmp_path / name).read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def test_out_rewrites_its_own_folder(tmp_path):
    assert cli("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    assert cli("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0


def test_an_out_path_that_cannot_be_a_folder_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("render", "--stack", "demo", "--out", str(blocker))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{blocker}: cannot write the folder:")
    assert "Traceback" not in result.stderr
