"""The pipeline's own files, each checked where it could break unnoticed:

- .github/workflows/: actionlint (with shellcheck on every `run:` script), the
  CLI calls its scripts make, the README's test command, pinned actions,
  least-privilege tokens, and pulumi/actions pointed at this project;
- deploy/prod/: still what the code renders for prod;
- deploy/operator/: the Pulumi Kubernetes Operator example, valid for the
  operator's own Stack CRD (vendored in tests/crds/) and for Kubernetes, with
  RBAC that covers what the prod stack creates.
"""

import copy
import hashlib
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from components import cli
from components.config.stack.model import PASSWORD_KEY
from tests.configs import ROOT
from tests.crd_schema import CRD_FILES, cel_rules, crd_schema, strict_validator
from tests.kube_schema import ValidationError, validate
from tests.repo.commands import components_commands, readme_commands

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
DEPLOY_PROD = ROOT / "deploy" / "prod"
OPERATOR_FILES = sorted((ROOT / "deploy" / "operator").glob("*.yaml"))
# requirements-dev.txt installs actionlint and shellcheck next to this python.
VENV_BIN = Path(sys.executable).parent


def venv_tool(name: str) -> str:
    found = shutil.which(name, path=str(VENV_BIN))
    assert found, f"{name} is not in {VENV_BIN}: pip install -r requirements-dev.txt"
    return found


def load_yaml_docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


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


# --- deploy/prod: the committed GitOps folder -------------------------------

def test_deploy_prod_is_what_the_code_renders(capsys):
    status = cli.main(["render", "--stack", "prod", "--check", str(DEPLOY_PROD)])
    out, err = capsys.readouterr()
    assert (status, out) == (0, ""), f"{out}{err}"


# --- deploy/operator: the Pulumi Kubernetes Operator example ----------------

@pytest.mark.parametrize("path", CRD_FILES, ids=lambda path: path.name)
def test_each_vendored_crd_is_the_upstream_file_unmodified(path):
    header, _, data = path.read_bytes().partition(b"\n")
    blob = re.search(rb"git blob ([0-9a-f]{40})", header).group(1).decode()
    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob


def stack_schema(api_version: str) -> dict:
    return crd_schema(api_version, "Stack")


def check_stack(doc: dict) -> None:
    """Raise unless `doc` is a Stack the operator's CRD accepts."""
    schema = stack_schema(doc["apiVersion"])
    strict_validator(doc["apiVersion"], "Stack").validate(doc)
    # jsonschema cannot run the CRD's CEL rules; there is one, checked here.
    assert cel_rules(schema) == ["size(self.metadata.name) <= 42"]
    if len(doc["metadata"]["name"]) > 42:
        raise jsonschema.ValidationError("Stack name must be no more than 42 characters")


def operator_docs() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in OPERATOR_FILES for doc in load_yaml_docs(path)]


def stacks() -> list[dict]:
    return [doc for _, doc in operator_docs() if doc["kind"] == "Stack"]


def test_there_is_a_stack_example():
    assert [doc["metadata"]["name"] for doc in stacks()] == ["redis-filebeat-prod"]


def test_each_stack_fits_the_operators_crd():
    for doc in stacks():
        check_stack(doc)


def test_the_other_objects_fit_the_kubernetes_api():
    for _path, doc in operator_docs():
        if doc["kind"] != "Stack":
            validate(doc)


@pytest.mark.parametrize("break_it", [
    pytest.param(lambda spec: spec.update(destroyOnFinalise=spec.pop("destroyOnFinalize")),
                 id="misspelt-field"),
    pytest.param(lambda spec: spec["envRefs"]["PULUMI_ACCESS_TOKEN"]["secret"].update(
        {"keyName": "accessToken"}), id="misspelt-nested-field"),
    pytest.param(lambda spec: spec.update(refresh="yes"), id="wrong-type"),
    pytest.param(lambda spec: spec.pop("stack"), id="missing-stack"),
    pytest.param(lambda spec: spec.update(workspaceReclaimPolicy="Keep"), id="not-in-enum"),
])
def test_a_broken_stack_is_refused(break_it):
    doc = copy.deepcopy(stacks()[0])
    break_it(doc["spec"])
    with pytest.raises(jsonschema.ValidationError):
        check_stack(doc)


def test_a_long_stack_name_is_refused():
    doc = copy.deepcopy(stacks()[0])
    doc["metadata"]["name"] = "x" * 43
    with pytest.raises(jsonschema.ValidationError):
        check_stack(doc)


def test_a_misspelt_field_in_the_rbac_is_refused():
    docs = [doc for _, doc in operator_docs() if doc["kind"] == "ClusterRole"]
    broken = copy.deepcopy(docs[0])
    broken["rules"][0]["resource"] = broken["rules"][0].pop("resources")
    with pytest.raises(ValidationError):
        validate(broken)


def test_the_stack_points_at_this_project():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    for doc in stacks():
        spec = doc["spec"]
        assert spec["projectRepo"].startswith("https://")
        assert spec["branch"] == "main"
        assert (ROOT / spec["repoDir"] / "Pulumi.yaml").is_file()
        assert (ROOT / "stacks" / f"Pulumi.{spec['stack'].split('/')[-1]}.yaml").is_file()
        assert set(spec["secretsRef"]) == {f"{project}:{PASSWORD_KEY}"}
        assert spec["destroyOnFinalize"] is False and spec["refresh"] is True
        for ref in [*spec["envRefs"].values(), *spec["secretsRef"].values()]:
            # With namespace isolation (the default) a Secret must be the Stack's own.
            assert ref["type"] == "Secret" and "namespace" not in ref["secret"]


def rules_of(docs: list[dict], account: tuple[str, str]) -> tuple[list, dict[str, list]]:
    """The rules `account` (namespace, name) holds cluster-wide, and per namespace."""
    roles = {doc["metadata"]["name"]: doc["rules"] for doc in docs if doc["kind"] == "ClusterRole"}
    cluster, per_namespace = [], {}
    for doc in docs:
        if doc["kind"] not in ("ClusterRoleBinding", "RoleBinding"):
            continue
        if not any((s["kind"], s.get("namespace"), s["name"]) == ("ServiceAccount", *account)
                   for s in doc["subjects"]):
            continue
        rules = roles.get(doc["roleRef"]["name"], [])  # built-in roles are not ours to check
        if doc["kind"] == "ClusterRoleBinding":
            cluster += rules
        else:
            per_namespace.setdefault(doc["metadata"]["namespace"], []).extend(rules)
    return cluster, per_namespace


def granted(rules: list[dict], group: str, resource: str, verb: str) -> bool:
    return any(group in rule.get("apiGroups", []) and resource in rule.get("resources", [])
               and verb in rule["verbs"] for rule in rules)


def plural(kind: str) -> str:
    kind = kind.lower()
    return kind[:-1] + "ies" if kind.endswith("y") else kind + ("es" if kind.endswith("s") else "s")


def test_the_workspace_account_may_deploy_what_prod_renders():
    """If the program starts creating a new kind of object, the operator
    example's RBAC must grow with it, or `pulumi up` in the cluster fails."""
    docs = [doc for _, doc in operator_docs()]
    (stack,) = stacks()
    account = (stack["metadata"]["namespace"], stack["spec"]["serviceAccountName"])
    assert any(doc["kind"] == "ServiceAccount" and
               (doc["metadata"]["namespace"], doc["metadata"]["name"]) == account for doc in docs)
    assert any(doc["kind"] == "ClusterRoleBinding"
               and doc["roleRef"]["name"] == "system:auth-delegator"
               and {"kind": "ServiceAccount", "namespace": account[0], "name": account[1]}
               in doc["subjects"] for doc in docs), "PKO v2 workspaces need system:auth-delegator"
    cluster, per_namespace = rules_of(docs, account)
    rendered = [doc for path in sorted(DEPLOY_PROD.glob("*.yaml"))
                if path.name != "kustomization.yaml" for doc in load_yaml_docs(path)]
    assert len(rendered) > 10
    for obj in rendered:
        group = obj["apiVersion"].rpartition("/")[0]
        namespace = obj["metadata"].get("namespace")
        rules = cluster + per_namespace.get(namespace, []) if namespace else cluster
        for verb in ("get", "create", "patch", "delete"):
            assert granted(rules, group, plural(obj["kind"]), verb), (
                f"{obj['kind']} {namespace}/{obj['metadata']['name']}: {verb} not granted")
        # Kubernetes lets an account grant only what it holds itself.
        for rule in obj.get("rules", []) if obj["kind"] == "ClusterRole" else []:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    for verb in rule["verbs"]:
                        assert granted(cluster, group, resource, verb), (
                            f"ClusterRole {obj['metadata']['name']} grants {verb} {resource}: "
                            "the workspace account must hold it cluster-wide")


def test_pre_commit_runs_the_checks_ci_runs_with_the_pinned_tools():
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {hook["id"]: hook["entry"] for hook in hooks}
    ci = (ROOT / ".ci" / "run").read_text()
    pinned = (ROOT / "requirements-dev.txt").read_text()
    for tool in ("ruff", "mypy"):
        assert entries[tool].startswith(f".venv/bin/{tool}")
        assert f".venv/bin/{tool}" in ci
        assert f"\n{tool}==" in pinned
