"""Fixtures for the tests that run the rendered containers: a node, images.

They need root (mount namespaces), the stand-in images' files, redis-server
and the toolchain's filebeat. Where one is missing they skip, saying which;
.ci/run sets RUNTIME_REQUIRED=1, and then a missing piece fails instead.
"""

import os
import subprocess

import pytest

from tests.real.runtime.images import load, runtime_missing
from tests.real.runtime.pod import Api, Node, free_port

REQUIRED = os.environ.get("RUNTIME_REQUIRED") == "1"
IMAGES = ("filebeat", "redis", "redis-exporter")
"""The stand-ins, by the last name of the image each stands in for."""


MISSING = runtime_missing(IMAGES)


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            # One worker runs them all: they share this machine's ports and CPU.
            item.add_marker(pytest.mark.xdist_group("runtime"))
            if MISSING and not REQUIRED:
                item.add_marker(pytest.mark.skip(
                    reason=f"{MISSING}; .ci/run makes these required"))


@pytest.fixture(autouse=True)
def _required_tools():
    if MISSING and REQUIRED:
        pytest.fail(f"RUNTIME_REQUIRED=1 but {MISSING}", pytrace=False)


@pytest.fixture(scope="session")
def unreachable_api(tmp_path_factory) -> Api:
    """An API server nobody answers at, with a real CA: what a pod sees while
    the control plane is down. Shipping must go on regardless."""
    folder = tmp_path_factory.mktemp("ca")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=unreachable",
                    "-days", "1", "-keyout", folder / "ca.key", "-out", folder / "ca.crt"],
                   check=True, capture_output=True)
    return Api("127.0.0.1", free_port(), "not-a-real-token", (folder / "ca.crt").read_text())


@pytest.fixture
def node(tmp_path, unreachable_api) -> Node:
    return Node("node-a", tmp_path / "node", unreachable_api)


@pytest.fixture(scope="session")
def images():
    if MISSING:
        pytest.skip(MISSING)
    return {name: load(name) for name in IMAGES}


@pytest.fixture
def pipeline(node, images):
    """Makes a `Pipeline` (a stack's redis and filebeat pods on `node`), and
    kills what it started at the end."""
    from tests.real.runtime.pipeline import Pipeline
    from tests.real.runtime.shipping import base

    made: list[Pipeline] = []

    def make(config: dict | None = None, **kwargs) -> Pipeline:
        made.append(Pipeline(node, images, config or base(), **kwargs))
        return made[-1]

    yield make
    for one in made:
        one.stop()
