"""The command line's conveniences: --version, a stack name that has no file, diff's own usage."""

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
        f"{ROOT / 'stacks'} are demo, dev, mixed-nodes, prod; or name a stack file with "
        "--config PATH\n")


def test_diff_with_one_side_prints_diffs_usage_not_the_top_level_one():
    result = cli("diff", "--stack", "dev")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m components diff ")
    assert result.stderr.splitlines()[-1] == (
        "python -m components diff: error: diff needs two sides, old then new, each --stack, "
        "--config or --dir; got 1")
