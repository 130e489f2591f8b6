"""One real node for the whole folder: started by the first test that asks
for it, and stopped by test_teardown.py, the folder's last module (pytest
runs a folder's modules in name order), which then compares the host with
how it was before `up`. Whatever fails, the fixture stops it at the end.
Each module that deploys gets a stack of its own (`deployment`)."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.e2e.real_node import node as real
from tests.e2e.real_node.node import RealNode
from tests.e2e.real_node.stack import registry_folder, remove_registry
from tests.e2e.stack import ThrowawayStack


@pytest.fixture(scope="package")
def node():
    node = RealNode(Path(tempfile.mkdtemp(prefix="real-node-")))
    try:
        node.up()
        yield node
    finally:
        node.down()
        shutil.rmtree(node.state, ignore_errors=True)


@pytest.fixture(scope="module")
def deployment(node, tmp_path_factory):
    """dev as node.stack_text writes it, a stack of each module's own: destroyed
    at the module's end, and the registry folder the kubelet made removed."""
    stack = ThrowawayStack(tmp_path_factory.mktemp("pulumi-state"), node.context,
                           kubeconfig=node.kubeconfig)
    registry = None
    try:
        stack.create(real.stack_text(stack.namespace, node.context, node.images))
        registry = registry_folder(stack)
        yield stack
    finally:
        try:
            stack.tear_down()
        finally:
            if registry is not None:
                remove_registry(registry)
