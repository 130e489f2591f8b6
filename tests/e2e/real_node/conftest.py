"""One real node for the whole folder: started by the first test that asks
for it, and stopped by test_teardown.py, the folder's last module (pytest
runs a folder's modules in name order), which then compares the host with
how it was before `up`. Whatever fails, the fixture stops it at the end."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.e2e.real_node.node import RealNode


@pytest.fixture(scope="package")
def node():
    node = RealNode(Path(tempfile.mkdtemp(prefix="real-node-")))
    try:
        node.up()
        yield node
    finally:
        node.down()
        shutil.rmtree(node.state, ignore_errors=True)
