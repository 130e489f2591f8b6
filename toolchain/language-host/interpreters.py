"""Which Python runs what: a program, and a plugin written in Python."""

from __future__ import annotations

import os
import sys
from typing import Any

import plugins  # beside this file, which Python puts first on sys.path


def runtime_options(info: Any) -> dict[str, Any]:
    """The `runtime.options` of Pulumi.yaml, as the CLI forwards them."""
    if info is None or not info.HasField("options"):
        return {}
    from google.protobuf import json_format

    return json_format.MessageToDict(info.options)


def interpreter(root: str, options: dict[str, Any]) -> str:
    """The Python that runs the program.

    $PULUMI_LANGUAGE_PYTHON_INTERPRETER wins; then `runtime.options.virtualenv`
    (relative to the project root); then the project's `.venv`; then the Python
    running this host.
    """
    explicit = os.environ.get("PULUMI_LANGUAGE_PYTHON_INTERPRETER")
    return explicit or virtualenv_python(root, options) or sys.executable


def virtualenv_python(root: str, options: dict[str, Any]) -> str | None:
    """`runtime.options.virtualenv`'s Python (relative to `root`), else `.venv`'s."""
    candidates = []
    venv = options.get("virtualenv")
    if isinstance(venv, str) and venv:
        candidates.append(venv if os.path.isabs(venv) else os.path.join(root, venv))
    candidates.append(os.path.join(root, ".venv"))
    for venv_dir in candidates:
        python = os.path.join(venv_dir, "bin", "python")
        if os.access(python, os.X_OK):
            return python
    return None


def plugin_interpreter(root: str, options: dict[str, Any]) -> str:
    """A plugin's Python: its own virtualenv (its runtime options', else `venv`
    as Pulumi's host defaults to, else `.venv`) first. A
    PULUMI_LANGUAGE_PYTHON_INTERPRETER set for the program must not run a
    plugin whose dependencies live elsewhere."""
    return (plugins.virtualenv_python(root, options) or virtualenv_python(root, options)
            or interpreter(root, options))
