"""Running `python -m components` from tests.

`cli` calls the CLI's `main()` in this process, with stdout and stderr
captured, and answers like `subprocess.run` would: most tests are about what
the CLI prints and returns, and a fresh interpreter per call (about 1.5 s of
imports) proves nothing more. `cli_process` runs the real module entry point
in a new interpreter, for the tests that are about that: exit codes through
`python -m`. (That the output does not depend on the process is checked in
tests/render/test_render.py, with one other interpreter rendering every stack.)

`run_cli` is the third way, for the tests of hostile input
(test_hostile_input.py, test_hostile_paths.py): the real module in a new
interpreter whose address space is capped (RLIMIT_AS, set in the child before
it starts), killed past a time limit, its peak memory sampled; and
`assert_refused` is what each refusal must look like (exit 2, one line per
problem naming the file, within the bound docs/security.md states).
"""

import contextlib
import io
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from components.cli import main
from tests.configs import ROOT, minimal


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


ADDRESS_SPACE = 512 << 20
"""The cap on each command's address space: docs/security.md's memory bound."""
SECONDS = 20.0
"""The kill limit for a refusal: ~1.5 s here, on a loaded 2-core machine; a
bomb that got through would take minutes. A real render gets RENDER_SECONDS."""
RENDER_SECONDS = 120.0
MAX_RSS = 200 << 20
"""What a refusal may use at its peak (docs/security.md gives what was measured)."""


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    max_rss: int
    """Bytes: the child's peak resident memory, sampled every 20 ms."""


def run_cli(*args: str, cwd: Path = ROOT, seconds: float = SECONDS) -> Run:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    out_path, err_path = cwd / ".out", cwd / ".err"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        child = subprocess.Popen([sys.executable, "-m", "components", *args], cwd=ROOT,
                                 stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 preexec_fn=cap)
    deadline, peak = started + seconds, 0
    while True:
        peak = max(peak, high_water(child.pid))
        pid, status, _ = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            pytest.fail(f"python -m components {' '.join(args)}: still running after "
                        f"{seconds} s")
        time.sleep(0.02)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    seconds = time.perf_counter() - started
    return Run(child.returncode, out_path.read_text(errors="replace"),
               err_path.read_text(errors="replace"), seconds, peak)


def high_water(pid: int) -> int:
    """The child's peak resident memory so far (VmHWM), in bytes; 0 once it
    has exited. Sampled, not ru_maxrss: a child forked from this worker starts
    its ru_maxrss at the worker's own size, and keeps it across exec."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, newline="")
    return path


def plain_stack() -> str:
    return yaml.safe_dump({"config": {f"redis-filebeat:{k}": v for k, v in minimal().items()}})


MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns}\ndata: {a: b}\n"


def assert_refused(run: Run, where: Path, *args: str) -> None:
    shown = f"python -m components {' '.join(args)}: exit {run.code}\n{run.err[-2000:]}"
    assert run.code == 2, shown
    assert run.out == "" and run.err, shown
    assert "Traceback" not in run.err and "internal error" not in run.err, shown
    for line in run.err.splitlines():
        assert line.startswith(str(where)) and len(line) < 1000, shown
    assert run.max_rss < MAX_RSS, f"{shown}\npeak RSS {run.max_rss >> 20} MiB"
