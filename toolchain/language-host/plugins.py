"""Installing a plugin written in Python (a component package, a policy pack):
the virtualenv its PulumiPlugin.yaml or PulumiPolicy.yaml names, and its
requirements.txt in it.

`pulumi install`, `pulumi package add` and a first `pulumi preview` of a
program whose `packages:` names a plugin folder ask for this
(InstallDependencies with `is_plugin`); the plugin then runs with that
virtualenv's Python (RunPlugin). Unlike a program's, a plugin's virtualenv is
created when missing: nothing else would create it before the CLI runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

DEFAULT_VIRTUALENV = "venv"
"""A plugin's virtualenv when its runtime options name none: the one Pulumi's
own Python host uses for plugins."""


def virtualenv_dir(root: str, options: dict[str, Any]) -> str:
    """The plugin's virtualenv: `runtime.options.virtualenv` (relative to its folder)."""
    venv = options.get("virtualenv")
    name = venv if isinstance(venv, str) and venv else DEFAULT_VIRTUALENV
    return name if os.path.isabs(name) else os.path.join(root, name)


def virtualenv_python(root: str, options: dict[str, Any]) -> str | None:
    """The plugin virtualenv's Python, if that virtualenv exists."""
    python = os.path.join(virtualenv_dir(root, options), "bin", "python")
    return python if os.access(python, os.X_OK) else None


def install(root: str, folder: str, options: dict[str, Any]) -> Iterator[tuple[bytes, bytes, int]]:
    """Create the virtualenv if missing, then `pip install -r requirements.txt`
    into it when the folder has one. Yields each step's stdout, stderr and exit
    code, and stops after the first that fails."""
    venv = virtualenv_dir(root, options)
    python = os.path.join(venv, "bin", "python")
    steps = []
    if not os.access(python, os.X_OK):
        # The host's own Python (the one with grpcio and the pulumi SDK) makes it.
        steps.append([sys.executable, "-m", "venv", venv])
    requirements = os.path.join(folder, "requirements.txt")
    if os.path.isfile(requirements):
        steps.append([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "-r", requirements])
    for args in steps:
        proc = subprocess.run(args, cwd=folder, capture_output=True, check=False)
        yield proc.stdout, proc.stderr, proc.returncode
        if proc.returncode != 0:
            return
