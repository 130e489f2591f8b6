"""The command line's conveniences: --version, a stack name that has no file, diff's own usage."""

import json

import pytest

from components import __version__
from tests.cli import cli
from tests.configs import ROOT


def test_version():
    result = cli("--version")
    assert (result.returncode, result.stdout) == (0, f"redis-filebeat {__version__}\n")


def test_a_stack_with_no_file_lists_the_ones_there_are():
    result = cli("render", "--stack", "prdo")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"{ROOT / 'stacks' / 'Pulumi.prdo.yaml'}: no stack 'prdo'; the stacks in "
        f"{ROOT / 'stacks'} (the stackConfigDir of {ROOT / 'Pulumi.yaml'}) are demo, dev, "
        "mixed-nodes, prod; or name a stack file with --config PATH\n")


def test_diff_with_one_side_prints_diffs_usage_not_the_top_level_one():
    result = cli("diff", "--stack", "dev")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m components diff ")
    assert result.stderr.splitlines()[-1] == (
        "python -m components diff: error: diff needs two sides, old then new, each --stack, "
        "--config or --dir; got 1")


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


@pytest.mark.parametrize("command", ["render", "diff", "coverage", "schema", "reference"])
def test_every_subcommands_help_gives_its_exit_codes(command):
    result = cli(command, "--help")
    assert result.returncode == 0
    assert "3 a crash" in " ".join(result.stdout.split())


def test_config_dash_reads_standard_input(monkeypatch):
    import io

    stack = (ROOT / "stacks" / "Pulumi.dev.yaml").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stack)))
    from_stdin = cli("render", "--config", "-")
    assert from_stdin.returncode == 0, from_stdin.stderr
    # Standard input names no stack: its objects say `stdin` as their instance.
    assert from_stdin.stdout == cli("render", "--stack", "dev").stdout.replace(
        "app.kubernetes.io/instance: dev\n", "app.kubernetes.io/instance: stdin\n")
    assert "<stdin>: redisPassword: not set" in from_stdin.stderr


def test_config_dash_errors_name_standard_input(monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"config: []\n")))
    result = cli("render", "--config", "-")
    assert (result.returncode, result.stderr) == (
        2, "<stdin>: config: must be a mapping of keys to values\n")


def test_only_one_side_reads_standard_input():
    result = cli("diff", "--config", "-", "--config", "-")
    assert result.returncode == 2 and "only one side can be --config -" in result.stderr


def test_the_prog_name_is_how_the_cli_was_started():
    from components.cli.parser import prog

    assert prog("/venv/bin/redis-filebeat", "redis_filebeat.cli") == "redis-filebeat"
    assert prog("/venv/lib/redis_filebeat/__main__.py", "redis_filebeat.cli") == \
        "python -m redis_filebeat"
    assert prog("/checkout/components/__main__.py", "components.cli") == "python -m components"
    assert prog("/venv/bin/pytest", "components.cli") == "python -m components"


# The real entry point, probed: how many collector passes ran while Pulumi,
# pydantic and the models were being imported, and at exit, whether each
# module's namespace is left out of the collector's generations (frozen), so
# neither the pass after a mocks run nor those at exit walk it.
HEAP_PROBE = """
import atexit, gc, json, runpy, sys
MODULES = ["pulumi.runtime.rpc", "pulumi_kubernetes.core.v1._inputs", "pydantic.main",
           "components.config.stack.model", "components.workloads.program"]
passes = []
def importing():
    renderer = sys.modules.get("components.render.renderer")
    return "pulumi" in sys.modules and not hasattr(renderer, "raw_config")  # its last def
def count(phase, info):
    if phase == "start" and importing():
        passes.append(info["generation"])
gc.callbacks.append(count)
def probe():
    tracked = {id(o) for o in gc.get_objects()}
    print(json.dumps({"passes while importing": len(passes),
                      "frozen": {m: id(vars(sys.modules[m])) not in tracked for m in MODULES}}),
          file=sys.stderr)
atexit.register(probe)
sys.argv = ["components", *sys.argv[1:]]
runpy.run_module("components", run_name="__main__")
"""


@pytest.mark.parametrize("args", [["render", "--stack", "dev"],
                                  ["diff", "--stack", "dev", "--stack", "prod"]])
def test_the_cli_imports_with_the_collector_paused_and_renders_frozen(args):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", HEAP_PROBE, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    probe = json.loads(done.stderr.splitlines()[-1])
    assert probe["passes while importing"] == 0
    assert probe["frozen"] == dict.fromkeys(probe["frozen"], True)


def test_coverages_check_and_reports_load_only_for_coverage():
    import subprocess
    import sys

    probe = ("import sys, components.cli; "
             "print(sorted(m for m in sys.modules if m.startswith('components.coverage.')))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "['components.coverage.command']"
