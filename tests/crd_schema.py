"""The custom resources' schemas, from the CRDs vendored in tests/crds/, as the API server
applies them to `kubectl apply`: strict (an unknown field is an error).

jsonschema cannot run a CRD's CEL rules (`x-kubernetes-validations`); `cel_rules`
lists them, so a test can check each one by hand.
"""

import copy
import functools
from pathlib import Path

import jsonschema
import yaml

CRDS = Path(__file__).resolve().parent / "crds"
CRD_FILES = sorted(CRDS.glob("*.yaml"))


@functools.cache
def crds() -> dict[tuple[str, str], dict]:
    """Every vendored CRD by (group, kind). Parsed once: the largest is 1.5 MB,
    which takes seconds without libyaml."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = {}
    for path in CRD_FILES:
        for doc in yaml.load_all(path.read_text(), Loader=loader):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                found[(doc["spec"]["group"], doc["spec"]["names"]["kind"])] = doc
    return found


def is_custom(api_version: str, kind: str) -> bool:
    return (api_version.partition("/")[0], kind) in crds()


def crd_schema(api_version: str, kind: str) -> dict:
    group, _, version = api_version.partition("/")
    crd = crds()[(group, kind)]
    served = {v["name"]: v for v in crd["spec"]["versions"] if v["served"]}
    assert version in served, f"{api_version} {kind} is not served by the CRD"
    return served[version]["schema"]["openAPIV3Schema"]


def strict(schema: dict) -> dict:
    """The schema with unknown fields refused, as strict field validation (kubectl's
    default) does: the CRDs leave additionalProperties unset, so plain JSON Schema
    would let a misspelt field through."""
    schema = copy.deepcopy(schema)

    def close(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for child in node.values():
                close(child)
        elif isinstance(node, list):
            for child in node:
                close(child)

    close(schema)
    return schema


@functools.cache
def strict_validator(api_version: str, kind: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(strict(crd_schema(api_version, kind)))


def validate_custom(body: dict) -> None:
    """Raise `jsonschema.ValidationError` unless the CRD accepts `body`."""
    strict_validator(body["apiVersion"], body["kind"]).validate(body)


def cel_rules(schema) -> list[str]:
    if isinstance(schema, dict):
        own = [rule["rule"] for rule in schema.get("x-kubernetes-validations", [])]
        return own + [r for child in schema.values() for r in cel_rules(child)]
    if isinstance(schema, list):
        return [r for child in schema for r in cel_rules(child)]
    return []
