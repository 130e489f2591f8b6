"""The test kit, at the path users import; it lives in `components.render.testkit`.

With `pytest_plugins = ["components.testing"]` in a conftest, its fixtures
are there too.
"""

from .render.testkit import (
    Rendered,
    render_config,
    render_config_fixture,
    render_stack_file,
    render_stack_file_fixture,
)

__all__ = ["Rendered", "render_config", "render_config_fixture", "render_stack_file",
           "render_stack_file_fixture"]
