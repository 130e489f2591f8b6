"""The labels on every object: Kubernetes' recommended ones, and selectors left as they were.

A DaemonSet's or Deployment's `spec.selector` is immutable: changing it makes
Pulumi delete and re-create the workload (for filebeat, a gap in the logs).
So labels are added to objects and pod templates only, and every selector of
every committed stack is compared with `stack_selectors.json`, written from
the render of 0.1.0's code (before the recommended labels).
"""

import json
from functools import cache
from typing import Any

import pytest

from components.render.renderer import find_stack_file, render_stack_file
from tests.configs import ROOT, STACKS

SELECTORS_FILE = ROOT / "tests" / "stack_selectors.json"
SELECTOR_KEYS = frozenset({"selector", "podSelector", "namespaceSelector", "labelSelector"})
"""Where Kubernetes objects (and the ServiceMonitor) select by label."""


@cache
def rendered(stack: str) -> list[dict[str, Any]]:
    return render_stack_file(find_stack_file(stack, ROOT)).manifests.documents()


def selectors(node: Any, path: str = "") -> dict[str, Any]:
    """Every label selector in `node`, by its path in the object."""
    found: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key in SELECTOR_KEYS and isinstance(value, dict):
                found[here] = value
            else:
                found |= selectors(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found |= selectors(item, f"{path}[{index}]")
    return found


def stack_selectors(stack: str) -> dict[str, dict[str, Any]]:
    by_object = {}
    for document in rendered(stack):
        metadata = document["metadata"]
        identity = f"{document['kind']} {metadata.get('namespace', '-')}/{metadata['name']}"
        if found := selectors(document):
            by_object[identity] = found
    return by_object


@pytest.mark.parametrize("stack", STACKS)
def test_every_selector_is_as_it_was(stack):
    """If this fails on purpose, every deployed stack sees the change: a new
    selector replaces the workload. Rewrite the file only with that in mind:
    python -c 'import json, tests.test_labels as t; print(json.dumps({s: t.stack_selectors(s)
    for s in t.STACKS}, indent=1, sort_keys=True))' > tests/stack_selectors.json"""
    assert stack_selectors(stack) == json.loads(SELECTORS_FILE.read_text())[stack]


def test_the_selectors_file_covers_every_committed_stack():
    assert sorted(json.loads(SELECTORS_FILE.read_text())) == STACKS
