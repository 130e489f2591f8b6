"""`render --stack demo` says everything the tutorial's manifests say.

The tutorial's files are copied into tests/tutorial, so this runs in any
clone. Where we add a field (a port name, REDIS_PORT, enableServiceLinks) it
is extra; every field the tutorial sets must be there with its value.
"""

import pytest
import yaml

from components.render.renderer import find_stack_file, render_stack_file
from tests.configs import ROOT

TUTORIAL = ROOT / "tests" / "tutorial"


def missing(expected, actual, path="") -> list[str]:
    """Where `actual` lacks something `expected` has, as readable paths."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        return [problem for key, value in expected.items()
                for problem in (missing(value, actual[key], f"{path}.{key}") if key in actual
                                else [f"{path}.{key}: absent"])]
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        if all(isinstance(item, dict) and "name" in item for item in expected):
            by_name = {item.get("name"): item for item in actual}
            return [problem for item in expected
                    for problem in (missing(item, by_name[item["name"]], f"{path}[{item['name']}]")
                                    if item["name"] in by_name
                                    else [f"{path}[{item['name']}]: absent"])]
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}"]
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in missing(e, a, f"{path}[{i}]")]
    return [] if expected == actual and type(expected) is type(actual) else [
        f"{path}: expected {expected!r}, got {actual!r}"]


def tutorial_objects() -> list[dict]:
    return [doc for path in sorted(TUTORIAL.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="module")
def demo():
    return render_stack_file(find_stack_file("demo")).manifests


@pytest.mark.parametrize("expected", tutorial_objects(),
                         ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_tutorial_field_is_rendered(demo, expected):
    actual = demo[expected["kind"]][expected["metadata"]["name"]]
    assert missing(expected, actual) == []


def test_the_tutorial_files_are_all_there():
    kinds = sorted(d["kind"] for d in tutorial_objects())
    assert kinds == ["DaemonSet", "Deployment", "Service"]


def test_the_comparison_can_fail():
    expected = tutorial_objects()[0]
    changed = yaml.safe_load(yaml.safe_dump(expected))
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "redis:7"
    assert missing(expected, changed) == [
        ".spec.template.spec.containers[redis].image: expected 'redis:4.0-alpine', got 'redis:7'"]
    assert missing({"a": [{"port": 6379}]}, {"a": [{"port": 6379.0}]}) == [
        ".a[0].port: expected 6379, got 6379.0"]
