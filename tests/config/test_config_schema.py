"""The committed JSON Schema of a stack file: in sync with the models, and it catches typos."""

import copy
import subprocess
import sys

import jsonschema
import pytest
import yaml

from components.config.stack.reference import REFERENCE_FILE
from components.config.stack.schema import stack_file_schema
from components.project import SCHEMA_FILE
from tests.cli import cli
from tests.configs import ROOT, STACKS

SCHEMA = stack_file_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def stack_file(stack: str) -> dict:
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())


def errors(document: dict) -> list[str]:
    return sorted(error.message for error in VALIDATOR.iter_errors(document))


def test_the_schema_is_itself_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_committed_schema_is_what_the_models_say():
    printed = subprocess.run([sys.executable, "-m", "components", "schema"], cwd=ROOT,
                             capture_output=True, text=True, check=True, timeout=60).stdout
    assert printed == (ROOT / SCHEMA_FILE).read_text(), (
        f"{SCHEMA_FILE} is stale: run `python -m components schema > {SCHEMA_FILE}`")


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_validates_and_points_an_editor_at_the_schema(stack):
    assert errors(stack_file(stack)) == []
    first_line = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./stack-config.schema.json"


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c["redis-filebeat:filebeat"]["updateStrategy"].update(maxSuge=1),
     "Additional properties are not allowed"),
    (lambda c: c.update({"redis-filebeat:namepsace": "x"}),
     "'redis-filebeat:namepsace' does not match any of the regexes"),
    (lambda c: c.update({"namespace": "x"}), "'namespace' does not match any of the regexes"),
    (lambda c: c["redis-filebeat:redis"].update(replicas="1"), "'1' is not of type 'integer'"),
    (lambda c: c.pop("redis-filebeat:redis"), "'redis-filebeat:redis' is a required property"),
    (lambda c: c.update({"redis-filebeat:redisPassword": "plain"}),
     "'plain' is not of type 'object'"),
])
def test_the_schema_rejects_a_broken_stack_file(change, message):
    document = copy.deepcopy(stack_file("prod"))
    change(document["config"])
    assert any(message in error for error in errors(document)), errors(document)


def test_other_packages_keys_and_secure_values_pass():
    document = copy.deepcopy(stack_file("dev"))
    document["config"]["kubernetes:namespace"] = "anything"
    document["config"]["redis-filebeat:redisPassword"] = {"secure": "v1:abc"}
    document["config"]["redis-filebeat:createNamespace"] = "true"  # as `pulumi config set` writes
    assert errors(document) == []


def test_the_committed_reference_is_what_the_models_say():
    printed = cli("reference").stdout
    assert printed == (ROOT / REFERENCE_FILE).read_text(), (
        f"{REFERENCE_FILE} is stale: run `python -m components reference > {REFERENCE_FILE}`")


def test_the_reference_lists_every_key_of_every_model():
    text = (ROOT / REFERENCE_FILE).read_text()
    definitions = SCHEMA["$defs"]
    for name, definition in definitions.items():
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for key in definition.get("properties", {}):
            assert f"\n| `{key}` |" in section, f"{name}.{key} is missing"
