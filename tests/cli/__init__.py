"""Running `python -m components` from tests.

`cli` calls the CLI's `main()` in this process, with stdout and stderr
captured, and answers like `subprocess.run` would: most tests are about what
the CLI prints and returns, and a fresh interpreter per call (about 1.5 s of
imports) proves nothing more. `cli_process` runs the real module entry point
in a new interpreter, for the tests that are about that: exit codes through
`python -m`. (That the output does not depend on the process is checked in
tests/render/test_render.py, with one other interpreter rendering every stack.)
"""

import contextlib
import io
import subprocess
import sys

from components.cli import main
from tests.configs import ROOT


def cli(*args: str) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code if isinstance(exit.code, int) else 2
    return subprocess.CompletedProcess(["python", "-m", "components", *args], code,
                                       out.getvalue(), err.getvalue())


def cli_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "components", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
