"""The committed deploy/ folders, each checked against what it must agree with:

- deploy/prod/: still what the code renders for prod;
- deploy/operator/: the Pulumi Kubernetes Operator example, valid for the
  operator's own Stack CRD (vendored in tests/crds/) and for Kubernetes, with
  RBAC that covers what the prod stack creates.

Together because the operator example deploys deploy/prod: its RBAC is held
to the objects that folder holds. The CI files that use them are checked in
test_pipeline_files.py.
"""

import copy
import hashlib
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from components import cli
from components.config.stack.model import PASSWORD_KEY
from tests.configs import ROOT
from tests.crd_schema import CRD_FILES, cel_rules, crd_schema, strict_validator
from tests.kube_schema import ValidationError, validate

DEPLOY_PROD = ROOT / "deploy" / "prod"
OPERATOR_FILES = sorted((ROOT / "deploy" / "operator").glob("*.yaml"))


def load_yaml_docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


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
