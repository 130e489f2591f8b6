"""The test kit, at the path users import; it lives in `components.render.testkit`.

Installed, this module is a pytest plugin (the `pytest11` entry point in
pyproject.toml): the `render_config` and `render_stack_file` fixtures are
there with no set-up. In this repository, which is not installed into its own
virtualenv, `pytest_plugins = ["components.testing"]` in tests/conftest.py
loads it instead.

Loading the plugin costs nothing: pytest loads it in every run of the
virtualenv it is installed in, so the kit, and Pulumi with it (a second
or two), are imported only when a fixture or a name here is first used.
Importing it needs no pytest: the fixtures (`render/fixtures.py`) are added
only where pytest is installed, and only pytest asks for them.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render.testkit import Rendered, render_config, render_stack_file

__all__ = ["Rendered", "render_config", "render_stack_file"]
_KIT = tuple(__all__)

try:
    from .render.fixtures import render_config_fixture, render_stack_file_fixture
except ModuleNotFoundError as missing:
    # A runtime virtualenv, built from requirements.txt: the kit, without fixtures.
    if missing.name != "pytest":
        raise
else:
    __all__ += ["render_config_fixture", "render_stack_file_fixture"]


def __getattr__(name: str) -> Any:
    # No module __dir__: pytest looks for fixtures and hooks in dir(plugin),
    # which must not import the kit.
    if name not in _KIT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".render.testkit", __package__), name)
    globals()[name] = value
    return value
