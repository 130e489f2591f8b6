"""The pipeline's own files, each checked where it could break unnoticed:
.github/workflows/ (actionlint with shellcheck on every `run:` script, the
CLI calls its scripts make, the README's test command, pinned actions,
least-privilege tokens, and pulumi/actions pointed at this project), and the
pre-commit hooks that run CI's checks locally. The deploy/ folders the
pipeline ships are checked in test_deploy_files.py.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components import cli
from tests.configs import ROOT
from tests.repo.commands import components_commands, readme_commands

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
# requirements-dev.txt installs actionlint and shellcheck next to this python.
VENV_BIN = Path(sys.executable).parent


def venv_tool(name: str) -> str:
    found = shutil.which(name, path=str(VENV_BIN))
    assert found, f"{name} is not in {VENV_BIN}: pip install -r requirements-dev.txt"
    return found


# --- the GitHub Actions workflows -------------------------------------------

def actionlint(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # shellcheck by explicit path: actionlint skips a shellcheck it cannot
    # find without a word, and the test below makes sure it did not.
    return subprocess.run(
        [venv_tool("actionlint"), f"-shellcheck={venv_tool('shellcheck')}", "-no-color",
         *map(str, paths)],
        cwd=cwd, capture_output=True, text=True, timeout=120)


def workflows() -> dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text()) for path in WORKFLOW_FILES}


def steps():
    """(workflow, job id, job, step) for every step of every workflow."""
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                yield name, job_id, job, step


def test_the_stack_workflow_is_there():
    assert "stack.yml" in [p.name for p in WORKFLOW_FILES]


def test_actionlint_and_shellcheck_pass_on_the_workflows():
    result = actionlint(*WORKFLOW_FILES)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_runs_shellcheck_and_catches_script_injection(tmp_path):
    """The lint above can fail: an unquoted variable and a PR title in a script."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "permissions: {}\n"
        "jobs:\n"
        "  bad:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo $HOME ${{ github.event.pull_request.title }}\n")
    result = actionlint(bad, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SC2086" in result.stdout, result.stdout
    assert "potentially untrusted" in result.stdout, result.stdout


def test_components_commands_parse_with_our_cli():
    """Every `python -m components` call in a `run:` script is one our parser
    accepts, so renaming a subcommand or a flag breaks this test, not the
    pipeline after the merge."""
    seen = []
    for name, job_id, _, step in steps():
        for args in components_commands(step.get("run", "")):
            where = f"{name}: job {job_id}: python -m components {shlex.join(args)}"
            try:
                parsed = cli._parser().parse_args(args)
            except SystemExit:
                pytest.fail(f"{where}: refused by components.cli (its message is above)")
            if parsed.command == "diff":
                # main() insists on exactly two sides, old then new.
                assert len(getattr(parsed, "sides", None) or []) == 2, where
            seen.append(args[0])
    assert {"render", "diff"} <= set(seen), seen


def test_components_commands_are_found_in_a_script():
    script = ('.venv/bin/python -m components diff --dir "base/$s" --stack "$s" '
              '--format markdown >> "$report" || status=$?\n'
              'echo "a mention: `python -m components diff`, no command" # python -m components\n'
              'python -m components render --stack prod \\\n  --check deploy/prod 2>/dev/null\n'
              'python -m components diff --comment-limit 29000 >> "$report"\n')
    assert components_commands(script) == [
        ["diff", "--dir", "base/$s", "--stack", "$s", "--format", "markdown"],
        ["render", "--stack", "prod", "--check", "deploy/prod"],
        ["diff", "--comment-limit", "29000"],
    ]


def test_the_test_job_runs_the_readme_test_command_verbatim():
    test_command = readme_commands()[1]
    runs = [step["run"] for *_, step in steps() if "run" in step]
    assert any(test_command in run for run in runs), test_command


def test_no_expression_inside_a_run_script():
    """Values reach scripts through `env:`: an expression pasted into a script
    is script injection waiting for an attacker-controlled value."""
    for name, job_id, _, step in steps():
        assert "${{" not in step.get("run", ""), f"{name}: job {job_id}: {step['run']}"


def test_every_action_is_pinned_to_a_commit_with_its_release_named():
    for path in WORKFLOW_FILES:
        for line in path.read_text().splitlines():
            if re.match(r"\s*(- )?uses:", line):
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$",
                                 line), f"{path.name}: not pinned to a commit: {line.strip()}"


def comments_on_the_pr(job: dict) -> bool:
    for step in job.get("steps", []):
        uses, given = step.get("uses", ""), step.get("with", {})
        if "sticky-pull-request-comment" in uses:
            return True
        if uses.startswith("pulumi/actions@") and given.get("comment-on-pr") is True:
            return True
    return False


def test_tokens_are_read_only_except_where_a_job_comments():
    for name, workflow in workflows().items():
        assert workflow.get("permissions") == {}, f"{name}: set `permissions: {{}}` at the top"
        for job_id, job in workflow["jobs"].items():
            permissions = job.get("permissions")
            assert isinstance(permissions, dict), f"{name}: job {job_id} sets no permissions"
            writes = {scope for scope, level in permissions.items() if level == "write"}
            expected = {"pull-requests"} if comments_on_the_pr(job) else set()
            assert writes == expected, f"{name}: job {job_id} writes {sorted(writes)}"


def pinned_pulumi_version() -> str:
    text = (ROOT / "requirements.txt").read_text()
    return re.search(r"^pulumi==(\S+)$", text, re.M).group(1)


def test_pulumi_steps_point_at_this_project():
    found = {}
    for name, job_id, job, step in steps():
        if not step.get("uses", "").startswith("pulumi/actions@"):
            continue
        given = step["with"]
        where = f"{name}: job {job_id}"
        assert (ROOT / given["work-dir"] / "Pulumi.yaml").is_file(), where
        assert (ROOT / "stacks" / f"Pulumi.{given['stack-name']}.yaml").is_file(), where
        assert str(given["pulumi-version"]) == pinned_pulumi_version(), (
            f"{where}: the Pulumi CLI should match requirements.txt's pulumi")
        assert "PULUMI_ACCESS_TOKEN" in step["env"], where
        found[given["command"]] = (job, given)
    assert set(found) == {"preview", "up"}
    preview_job, preview = found["preview"]
    assert preview["comment-on-pr"] is True and preview["diff"] is True
    up_job, _ = found["up"]
    assert up_job["environment"] and up_job["concurrency"]["cancel-in-progress"] is False


# --- the pre-commit hooks ---------------------------------------------------

def test_pre_commit_runs_the_checks_ci_runs_with_the_pinned_tools():
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {hook["id"]: hook["entry"] for hook in hooks}
    ci = (ROOT / ".ci" / "run").read_text()
    pinned = (ROOT / "requirements-dev.txt").read_text()
    for tool in ("ruff", "mypy"):
        assert entries[tool].startswith(f".venv/bin/{tool}")
        assert f".venv/bin/{tool}" in ci
        assert f"\n{tool}==" in pinned
