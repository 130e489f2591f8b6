"""A command run as a user's shell would run it: shared by the packaging tests, those
that build and install the package (test_packaging.py) and those that need no build
(test_packaging_metadata.py)."""

import os
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 300


def run(*args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """A command as a user's shell would run it: no PYTHONPATH, no pytest
    variables of this run, and never from inside the repository."""
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith(("PYTEST_", "PULUMI_"))}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}")
    return result
