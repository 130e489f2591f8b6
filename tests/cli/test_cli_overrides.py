"""Overlays (-f/--values) and --set: merged in order over the stack file, --set
last, and on both sides of a diff. A refusal names the overlay or the --set that
gave the value (a long --set cut where it shows), and the stack file too when a
rule spans both. A rendered folder has no stack file to change: refused there.
"""

import pytest

from tests.cli import cli
from tests.configs import ROOT


def deployment(out: str) -> dict:
    import yaml

    return next(d for d in yaml.safe_load_all(out) if d and d["kind"] == "Deployment")


def test_overlays_merge_in_order_and_set_comes_last(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("config:\n  redis-filebeat:redis:\n"
                     "    resources: {limits: {memory: 512Mi}, requests: {memory: 128Mi}}\n"
                     "    labels: {tier: a}\n")
    second.write_text("config:\n  redis:\n    resources: {limits: {memory: 1Gi}}\n"
                      "    labels: {other: b}\n")
    result = cli("render", "--stack", "dev", "-f", str(first), "--values", str(second),
                 "--set", "redis.replicas=0", "--set", "redis.labels.tier=c")
    assert result.returncode == 0, result.stderr
    body = deployment(result.stdout)
    resources = body["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["limits"]["memory"] == "1Gi"  # the later overlay wins
    assert resources["requests"]["memory"] == "128Mi"  # mappings merge
    assert body["spec"]["replicas"] == 0  # a YAML scalar: a number
    assert body["spec"]["selector"]["matchLabels"] == {"tier": "c", "other": "b"}


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "redis.replicas"], "--set redis.replicas: write key.path=value, e.g. --set "
                                  "filebeat.updateStrategy.maxUnavailable=2"),
    (["--set", "redis..x=1"], "--set redis..x=1: write key.path=value, e.g. --set "
                              "filebeat.updateStrategy.maxUnavailable=2"),
])
def test_a_bad_set_names_itself(args, message):
    result = cli("render", "--stack", "dev", *args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message


def test_a_long_set_is_cut_where_it_shows_and_keeps_its_key():
    key = "filebeat.extraConfig." + "k" * 70  # past the old cut at 80 characters
    result = cli("render", "--stack", "dev", "--set", f"{key}={'v' * 200}")
    assert result.returncode == 2
    line = result.stderr.splitlines()[-1]
    assert line.startswith(f"--set {key}={'v' * 10}"), line
    assert "v…: " in line and "v" * 200 not in line
    # A key no one could read in a line is cut too, and says so.
    result = cli("render", "--stack", "dev", "--set", f"redis.{'k' * 5000}")
    assert result.stderr.splitlines()[-1].startswith(f"--set redis.{'k' * 100}")
    assert "k…: write key.path=value" in result.stderr and "k" * 1000 not in result.stderr


def test_a_bad_overlay_names_its_file(tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text("redis-filebeat:redis: {replicas: 0}\n")
    result = cli("render", "--stack", "dev", "-f", str(overlay))
    assert (result.returncode, result.stderr.splitlines()[-1]) == (2, (
        f"{overlay}: an overlay is shaped like a stack file: a mapping with the keys to change "
        "under config:"))


def test_a_bad_value_names_the_overlay_or_the_set_that_gave_it(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("config:\n  redis-filebeat:redis: {port: notaport, replicas: 0}\n")
    second.write_text("config:\n  redis-filebeat:redis: {replicas: two}\n")
    result = cli("render", "--stack", "dev", "-f", str(first), "-f", str(second),
                 "--set", "filebeat.noSuchKey=1")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert f"{first}: redis.port: should be a valid integer (got 'notaport')" in lines
    # The later overlay set it last, so its line names that one.
    assert any(line.startswith(f"{second}: redis.replicas: ") for line in lines), lines
    assert "--set filebeat.noSuchKey=1: filebeat.noSuchKey: unknown key" in lines
    assert not any(line.startswith(str(ROOT / "stacks")) for line in lines), lines


def test_a_problem_around_an_overridden_value_names_both(tmp_path):
    """The stack file says RollingUpdate; the --set makes it refuse to roll."""
    result = cli("render", "--stack", "prod", "--set",
                 "filebeat.updateStrategy.maxUnavailable=0")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"{ROOT / 'stacks' / 'Pulumi.prod.yaml'} with --set "
        "filebeat.updateStrategy.maxUnavailable=0: filebeat.updateStrategy: "), result.stderr


def test_overrides_apply_to_both_sides_of_diff_and_not_to_a_folder(tmp_path):
    same = cli("diff", "--stack", "dev", "--stack", "dev", "--set", "filebeat.logLevel=debug")
    assert same.returncode == 0
    folder = cli("diff", "--dir", str(tmp_path), "--stack", "dev", "--set", "redis.replicas=0")
    assert folder.returncode == 2
    assert "-f/--values and --set change a stack file; a rendered folder has none" in \
        folder.stderr
