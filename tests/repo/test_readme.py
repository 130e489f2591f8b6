"""CI must run what the README tells people to run."""

from tests.configs import ROOT
from tests.repo.commands import readme_commands


def test_readme_opens_with_the_two_commands():
    render, tests = readme_commands()
    assert "-m components render --stack dev" in render
    assert "-m pytest" in tests


def test_ci_runs_them_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    for command in readme_commands():
        assert command in ci
