"""The command line's conveniences: --version, a stack name that has no file,
diff's own usage, each subcommand's help, the program's name as it was started,
and a stack file read from standard input (`--config -`).

The overlays and --set are in test_cli_overrides.py, the output's forms in
test_cli_output.py, and what the CLI imports in test_cli_imports.py.
"""

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
