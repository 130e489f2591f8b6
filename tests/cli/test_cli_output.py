"""What the CLI prints and how: render's JSON List, --show-only's objects in
apply order (or a refusal naming what there is, and never a cut --out folder),
and diff's colours only when asked or on a terminal.
"""

import json

from tests.cli import cli


def test_render_json_and_show_only():
    result = cli("render", "--stack", "dev", "-o", "json", "--show-only", "daemonset/filebeat",
                 "--show-only", "Service/redis")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert (listed["apiVersion"], listed["kind"]) == ("v1", "List")
    assert [(o["kind"], o["metadata"]["name"]) for o in listed["items"]] == [
        ("Service", "redis"), ("DaemonSet", "filebeat")]  # in apply order


def test_show_only_an_object_that_is_not_there():
    result = cli("render", "--stack", "dev", "--show-only", "DaemonSet/filebat")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1].startswith(
        "--show-only DaemonSet/filebat: no such object; the stack renders Namespace/logging, ")


def test_show_only_does_not_cut_a_folder(tmp_path):
    result = cli("render", "--stack", "dev", "--out", str(tmp_path), "--show-only", "Service/redis")
    assert result.returncode == 2 and "work on the whole folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_diff_colours_only_when_asked_or_on_a_terminal(monkeypatch):
    always = cli("diff", "--stack", "dev", "--stack", "prod", "--color", "always").stdout
    assert "\x1b[33m~ ConfigMap logging/redis-config (changed)\x1b[0m" in always
    assert "      \x1b[31m-maxmemory 96mb\x1b[0m" in always
    assert "      \x1b[32m+maxmemory 1536mb\x1b[0m" in always
    # A context line whose text starts with '-' is no removal.
    assert "         - container: {}" in always
    never = cli("diff", "--stack", "dev", "--stack", "prod", "--color", "never").stdout
    assert "\x1b[" not in never and never == always.replace("\x1b[0m", "").replace(
        "\x1b[33m", "").replace("\x1b[31m", "").replace("\x1b[32m", "").replace("\x1b[36m", "")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("diff", "--stack", "dev", "--stack", "prod").stdout
