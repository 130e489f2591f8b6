"""Hostile paths through the real CLI: a `diff --dir` folder, or a stack
file, that tries to make the CLI read outside the folder (`../x`, absolute
paths, symlinks out), block (FIFOs), or open what is no file. Each is refused
in one line per problem, unopened, and nothing outside the folder reaches the
output; a symlink that stays inside is read. Apart from
test_hostile_input.py because the attack is in the file system, not the YAML.
"""

import os
from pathlib import Path

import pytest

from tests.cli import MANIFEST, assert_refused, run_cli, write

SECRET = "runner-secret-0123456789"
"""What a file outside the folder holds: it must appear in no output."""


def folder_attack(tmp_path: Path, attack: str) -> Path:
    """A rendered folder that tries to make diff read or block on something."""
    folder = tmp_path / "pr"
    outside = write(tmp_path / "outside" / "secret.yaml",
                    f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {SECRET}}}\n")
    write(folder / "c.yaml", MANIFEST)
    kustomization = folder / "kustomization.yaml"
    if attack == "FIFO":
        os.mkfifo(folder / "pipe.yaml")
    elif attack == "FIFO kustomization":
        os.mkfifo(kustomization)
    elif attack == "folder named .yaml":
        (folder / "sub.yaml").mkdir()
    elif attack == "listed ../x":
        write(kustomization, "resources: [c.yaml, ../outside/secret.yaml]\n")
    elif attack == "listed /etc/passwd":
        write(kustomization, "resources: [/etc/passwd]\n")
    elif attack == "listed absolute path inside":
        write(kustomization, f"resources: [{folder / 'c.yaml'}]\n")
    elif attack == "listed folder":
        write(folder / "base" / "x.yaml", MANIFEST)
        write(kustomization, "resources: [base]\n")
    elif attack == "symlink to a file out":
        (folder / "link.yaml").symlink_to(outside)
    elif attack == "listed symlink to a file out":
        (folder / "link.yaml").symlink_to(outside)
        write(kustomization, "resources: [link.yaml]\n")
    elif attack == "listed through a symlinked folder out":
        (folder / "d").symlink_to(outside.parent)
        write(kustomization, "resources: [d/secret.yaml]\n")
    elif attack == "kustomization a symlink out":
        write(tmp_path / "outside" / "kustomization.yaml", "resources: [c.yaml]\n")
        kustomization.symlink_to(tmp_path / "outside" / "kustomization.yaml")
    elif attack == "dangling symlink":
        (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    else:
        raise AssertionError(attack)
    return folder


FOLDER_ATTACKS = ["FIFO", "FIFO kustomization", "folder named .yaml", "listed ../x",
                  "listed /etc/passwd", "listed absolute path inside", "listed folder",
                  "symlink to a file out", "listed symlink to a file out",
                  "listed through a symlinked folder out", "kustomization a symlink out",
                  "dangling symlink"]


@pytest.mark.parametrize("attack", FOLDER_ATTACKS)
def test_a_folder_is_read_as_kustomize_reads_it_and_nothing_outside(tmp_path, attack):
    folder = folder_attack(tmp_path, attack)
    write(tmp_path / "good" / "c.yaml", MANIFEST)
    args = ("diff", "--dir", str(folder), "--dir", str(tmp_path / "good"))
    run = run_cli(*args, cwd=tmp_path)
    assert_refused(run, folder, *args)
    assert SECRET not in run.out + run.err and "root:" not in run.out + run.err


def test_a_symlink_to_a_file_inside_the_folder_is_read(tmp_path):
    folder = tmp_path / "pr"
    write(folder / "real" / "c.yaml", MANIFEST)
    (folder / "c.yaml").symlink_to(folder / "real" / "c.yaml")
    write(folder / "kustomization.yaml", "resources: [c.yaml]\n")
    write(tmp_path / "good" / "c.yaml", MANIFEST)
    run = run_cli("diff", "--dir", str(folder), "--dir", str(tmp_path / "good"), cwd=tmp_path)
    assert (run.code, run.err) == (0, ""), run.err


@pytest.mark.parametrize("what", ["folder", "FIFO", "missing"])
def test_a_stack_file_that_is_no_file_is_refused_unopened(tmp_path, what):
    path = tmp_path / "Pulumi.x.yaml"
    if what == "folder":
        path.mkdir()
    elif what == "FIFO":
        os.mkfifo(path)  # opened for reading, it would block until a writer came
    for args in (("render", "--config", str(path)),
                 ("diff", "--config", str(path), "--config", str(path))):
        run = run_cli(*args, cwd=tmp_path)
        assert_refused(run, path, *args)
        assert run.err.count("\n") == 1
