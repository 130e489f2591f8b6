"""A real tool a test module runs: skipped, with the command that builds it,
when it is not on PATH; failed instead when CI requires it (.ci/run builds
each and sets its variable), so CI never passes by skipping."""

import os
import shutil

import pytest


def required_tool(name: str, variable: str, build: str) -> tuple[str | None, pytest.MarkDecorator]:
    """The tool's path, or None, and the mark that skips a test without it.
    `build`: what `toolchain/build` calls it."""
    path = shutil.which(name)
    if not path and os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {name} is not on PATH", pytrace=False)
    return path, pytest.mark.skipif(not path, reason=(
        f'{name} is not on PATH (PATH="$(toolchain/build {build} | tail -1):$PATH"; '
        ".ci/run does this)"))
