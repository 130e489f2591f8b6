"""The test kit's pytest fixtures, the one part of the kit that needs pytest.

`components.testing` (the pytest plugin) takes them from here only where
pytest is installed, so the kit itself imports in a runtime virtualenv built
from requirements.txt. Each fixture imports the kit, and Pulumi with it,
only when a test first asks for it.
"""

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testkit import Rendered


@pytest.fixture(name="render_config")
def render_config_fixture() -> Callable[..., "Rendered"]:
    """`render_config` as a fixture, for suites that prefer injection."""
    from .testkit import render_config

    return render_config


@pytest.fixture(name="render_stack_file")
def render_stack_file_fixture() -> Callable[[str | os.PathLike[str]], "Rendered"]:
    """`render_stack_file` as a fixture: render a `Pulumi.<stack>.yaml`."""
    from .testkit import render_stack_file

    return render_stack_file
