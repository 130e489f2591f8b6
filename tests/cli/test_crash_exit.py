"""The last line of defence: a crash is exit 3, with one line saying it is a
bug (and `--debug`, or its env var, for the traceback), and an interrupt is
130; neither is ever mistaken for 1 ("changes") or 2 (refused input). The
crashes are forced (a function patched to raise), in process or through
`python -m components`: these tests are about the exit codes, where the
hostile input tests are about refusals.
"""

import subprocess
import sys

import pytest

from tests.configs import ROOT


@pytest.mark.parametrize("error", [TypeError("unhashable type: 'list'\nmore"),
                                   RecursionError("maximum recursion depth exceeded"),
                                   MemoryError()])
def test_a_crash_is_exit_3_with_one_line_saying_it_is_a_bug(monkeypatch, capsys, error):
    from components import cli

    def crash(path, raw=None):
        raise error

    monkeypatch.setattr("components.render.renderer.render_stack_file", crash)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["render", "--stack", "dev"]) == cli.EXIT_CRASH == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"internal error: {type(error).__name__}")
    assert "this is a bug in redis-filebeat" in line and "--debug" in line
    assert "more" not in line  # the first line of the message only


def test_debug_and_its_env_var_add_the_traceback(monkeypatch, capsys):
    from components import cli

    def crash(*side):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "load_side", crash)
    assert cli.main(["--debug", "diff", "--dir", "a", "--dir", "b"]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.endswith(
        "report the traceback\n")
    assert "internal error: KeyError: 'boom'" in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    assert cli.main(["diff", "--dir", "a", "--dir", "b"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_an_interrupt_is_130_not_a_crash(monkeypatch, capsys):
    from components import cli

    def interrupted(*side):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_side", interrupted)
    assert cli.main(["diff", "--dir", "a", "--dir", "b"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_a_crash_through_python_m_exits_3(tmp_path):
    """The real entry point, with a crash forced where a hostile input once
    raised a TypeError: exit 3, and the workflow's diff step fails on it."""
    probe = ("import sys, runpy, components.review.sides as s\n"
             "def crash(folder): raise TypeError(\"unhashable type: 'list'\")\n"
             "s.read_folder = crash\n"
             "import components.cli as c; c.read_folder = crash\n"
             "sys.argv = ['components', 'diff', '--dir', 'a', '--dir', 'b']\n"
             "runpy.run_module('components', run_name='__main__')\n")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 3, run.stderr
    assert run.stderr.startswith("internal error: TypeError: unhashable type")
    assert "Traceback" not in run.stderr
