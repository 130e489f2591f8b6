"""The rendered folder as a GitOps pipeline uses it: kustomize reads it, --check guards it."""

import shutil
import subprocess

import pytest
import yaml

from tests.cli import cli

KUBECTL = shutil.which("kubectl")


def identity(doc: dict) -> tuple:
    return doc["kind"], doc["metadata"].get("namespace"), doc["metadata"]["name"]


@pytest.mark.skipif(not KUBECTL, reason="kubectl is not installed; `kubectl kustomize` "
                                        "is what Argo CD and Flux run on the folder")
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_kubectl_kustomize_reproduces_the_render(tmp_path, stack):
    assert cli("render", "--stack", stack, "--out", str(tmp_path)).returncode == 0
    built = subprocess.run([KUBECTL, "kustomize", str(tmp_path)], capture_output=True,
                           text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    from_kustomize = sorted(yaml.safe_load_all(built.stdout), key=identity)
    rendered = sorted(yaml.safe_load_all(cli("render", "--stack", stack).stdout), key=identity)
    assert len(rendered) > 10
    assert from_kustomize == rendered


def test_check_passes_on_a_fresh_folder(tmp_path):
    cli("render", "--stack", "dev", "--out", str(tmp_path))
    result = cli("render", "--stack", "dev", "--check", str(tmp_path))
    assert (result.returncode, result.stdout) == (0, "")


def test_check_lists_changed_missing_and_leftover_files_and_exits_1(tmp_path):
    cli("render", "--stack", "dev", "--out", str(tmp_path))
    (tmp_path / "service-redis.yaml").write_text("edited by hand\n")
    (tmp_path / "secret-redis-auth.yaml").unlink()
    result = cli("render", "--stack", "dev", "--check", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{tmp_path}/secret-redis-auth.yaml: missing",
                                          f"{tmp_path}/service-redis.yaml: differs"]
    assert result.stderr.splitlines()[-1] == (
        f"{tmp_path} is stale: run `python -m components render --stack dev --out {tmp_path}` "
        "and commit the result")
    # prod creates no Namespace: the file dev left behind is reported, not ignored.
    result = cli("render", "--stack", "prod", "--check", str(tmp_path))
    assert f"{tmp_path}/namespace-logging.yaml: no longer rendered" in result.stdout.splitlines()


def test_check_of_a_folder_that_does_not_exist(tmp_path):
    result = cli("render", "--stack", "dev", "--check", str(tmp_path / "none"))
    assert result.returncode == 1
    assert f"{tmp_path}/none/kustomization.yaml: missing" in result.stdout.splitlines()


def test_check_writes_nothing(tmp_path):
    cli("render", "--stack", "dev", "--check", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
