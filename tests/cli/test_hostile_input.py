"""Hostile input through the real CLI: every attack ends in exit 2, one line
per problem naming the file, within the bound docs/security.md states.

Each case runs `python -m components` in a new interpreter whose address
space is capped (RLIMIT_AS, set in the child before it starts) and which is
killed past a time limit, for `render --config`, `diff --config X --config Y`
and `diff --dir`. Inputs that are legitimately fine (a BOM, CRLF, merge keys,
timestamps) must instead render, or compare, as their plain spelling does.
"""

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.configs import REPORT, ROOT, minimal

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


def laughs() -> str:
    rows = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]"
                                for i in range(1, 10)]
    return "\n".join(rows) + "\n"


# name: YAML text (or bytes) that must be refused wherever it is read.
ATTACKS: dict[str, str | bytes] = {
    "billion laughs": laughs(),
    "quadratic blowup": f'a: &a "{"x" * 500_000}"\nb: [{", ".join(["*a"] * 100)}]\n',
    "complex key": "? [a, b]\n: 1\n",
    "huge int": f"a: {'9' * 5000}\n",
    "deep nesting": "[" * 100_000 + "]" * 100_000 + "\n",
    "huge scalar": f"a: {'x' * (2 << 20)}\n",
    "huge file": "a: b\n" * (2 << 20),
    "many keys": "".join(f"k{i}: {i}\n" for i in range(200_000)),
    "!!python/object": "a: !!python/object/apply:os.system [echo hacked]\n",
    "!!binary": "a: !!binary aGVsbG8=\n",
    "unknown tag": "a: !foo x\n",
    "tab indent": "a:\n\tb: 1\n",
    "NUL byte": "a: x\x00y\n",
    "not UTF-8": b"a: \xff\xfe\n",
    "duplicate key": "a: 1\na: 2\n",
    "loop": "a: &l [1, *l]\n",
}


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


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("command", ["render", "diff --config", "diff --dir"])
def test_an_attack_is_refused_in_one_line_per_problem(tmp_path, attack, command):
    text = ATTACKS[attack]
    if command == "diff --dir":
        bad = write(tmp_path / "bad" / "c.yaml", text)
        write(tmp_path / "good" / "c.yaml", MANIFEST)
        args = ("diff", "--dir", str(bad.parent), "--dir", str(tmp_path / "good"))
    else:
        bad = write(tmp_path / "Pulumi.bad.yaml", text)
        good = write(tmp_path / "Pulumi.good.yaml", plain_stack())
        args = (("render", "--config", str(bad)) if command == "render" else
                ("diff", "--config", str(bad), "--config", str(good)))
    assert_refused(run_cli(*args, cwd=tmp_path), bad, *args)


def test_a_bomb_is_refused_fast_and_small(tmp_path):
    """The bound itself, measured on the worst of them."""
    bad = write(tmp_path / "Pulumi.bad.yaml", ATTACKS["billion laughs"])
    run = run_cli("render", "--config", str(bad), cwd=tmp_path)
    assert run.code == 2 and "alias bomb" in run.err
    assert run.seconds < 10 and run.max_rss < MAX_RSS
    REPORT.append(f"hostile input: billion laughs refused by render in {run.seconds:.1f} s, "
                  f"peak RSS {run.max_rss >> 20} MiB")


SECRET = "runner-secret-0123456789"
"""What a file outside the folder holds: it must appear in no output."""


def folder_attack(tmp_path: Path, attack: str) -> Path:
    """A rendered folder that tries to make diff read or block on something."""
    folder = tmp_path / "pr"
    outside = write(tmp_path / "outside" / "secret.yaml",
                    f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {SECRET}}}\n")
    write(folder / "c.yaml", MANIFEST)
    kustomization = folder / "kustomization.yaml"
    if attack == "FIFO":
        os.mkfifo(folder / "pipe.yaml")
    elif attack == "FIFO kustomization":
        os.mkfifo(kustomization)
    elif attack == "folder named .yaml":
        (folder / "sub.yaml").mkdir()
    elif attack == "listed ../x":
        write(kustomization, "resources: [c.yaml, ../outside/secret.yaml]\n")
    elif attack == "listed /etc/passwd":
        write(kustomization, "resources: [/etc/passwd]\n")
    elif attack == "listed absolute path inside":
        write(kustomization, f"resources: [{folder / 'c.yaml'}]\n")
    elif attack == "listed folder":
        write(folder / "base" / "x.yaml", MANIFEST)
        write(kustomization, "resources: [base]\n")
    elif attack == "symlink to a file out":
        (folder / "link.yaml").symlink_to(outside)
    elif attack == "listed symlink to a file out":
        (folder / "link.yaml").symlink_to(outside)
        write(kustomization, "resources: [link.yaml]\n")
    elif attack == "listed through a symlinked folder out":
        (folder / "d").symlink_to(outside.parent)
        write(kustomization, "resources: [d/secret.yaml]\n")
    elif attack == "kustomization a symlink out":
        write(tmp_path / "outside" / "kustomization.yaml", "resources: [c.yaml]\n")
        kustomization.symlink_to(tmp_path / "outside" / "kustomization.yaml")
    elif attack == "dangling symlink":
        (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    else:
        raise AssertionError(attack)
    return folder


FOLDER_ATTACKS = ["FIFO", "FIFO kustomization", "folder named .yaml", "listed ../x",
                  "listed /etc/passwd", "listed absolute path inside", "listed folder",
                  "symlink to a file out", "listed symlink to a file out",
                  "listed through a symlinked folder out", "kustomization a symlink out",
                  "dangling symlink"]


@pytest.mark.parametrize("attack", FOLDER_ATTACKS)
def test_a_folder_is_read_as_kustomize_reads_it_and_nothing_outside(tmp_path, attack):
    folder = folder_attack(tmp_path, attack)
    write(tmp_path / "good" / "c.yaml", MANIFEST)
    args = ("diff", "--dir", str(folder), "--dir", str(tmp_path / "good"))
    run = run_cli(*args, cwd=tmp_path)
    assert_refused(run, folder, *args)
    assert SECRET not in run.out + run.err and "root:" not in run.out + run.err


def test_a_symlink_to_a_file_inside_the_folder_is_read(tmp_path):
    folder = tmp_path / "pr"
    write(folder / "real" / "c.yaml", MANIFEST)
    (folder / "c.yaml").symlink_to(folder / "real" / "c.yaml")
    write(folder / "kustomization.yaml", "resources: [c.yaml]\n")
    write(tmp_path / "good" / "c.yaml", MANIFEST)
    run = run_cli("diff", "--dir", str(folder), "--dir", str(tmp_path / "good"), cwd=tmp_path)
    assert (run.code, run.err) == (0, ""), run.err


@pytest.mark.parametrize("what", ["folder", "FIFO", "missing"])
def test_a_stack_file_that_is_no_file_is_refused_unopened(tmp_path, what):
    path = tmp_path / "Pulumi.x.yaml"
    if what == "folder":
        path.mkdir()
    elif what == "FIFO":
        os.mkfifo(path)  # opened for reading, it would block until a writer came
    for args in (("render", "--config", str(path)),
                 ("diff", "--config", str(path), "--config", str(path))):
        run = run_cli(*args, cwd=tmp_path)
        assert_refused(run, path, *args)
        assert run.err.count("\n") == 1


# name: (plain spelling, legitimate variant) of a stack file and of a manifest.
STACK = plain_stack()
LEGIT = {
    "BOM": (STACK, "\ufeff" + STACK),
    "CRLF": (STACK, STACK.replace("\n", "\r\n")),
    "merge keys": (STACK, "config:\n  redis-filebeat:redis: &r {image: redis:7.4-alpine}\n"
                   "  redis-filebeat:filebeat: {<<: *r, image: "
                   "'docker.elastic.co/beats/filebeat:8.15.3'}\n"),
    "timestamps": (STACK.replace("config:\n", "config:\n  redis-filebeat:namespace: "
                                 "'2024-01-01'\n"),
                   STACK.replace("config:\n", "config:\n  redis-filebeat:namespace: "
                                 "2024-01-01\n")),
}
LEGIT_MANIFESTS = {
    "BOM": (MANIFEST, "\ufeff" + MANIFEST),
    "CRLF": (MANIFEST, MANIFEST.replace("\n", "\r\n")),
    "merge keys": (MANIFEST, "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: c, "
                   "namespace: ns}\ndata: {<<: *m, name: b, namespace: b, a: b}\n"
                   .replace("data: {<<: *m, name: b, namespace: b, a: b}", "data: {a: b}")),
    "timestamps": (MANIFEST.replace("{a: b}", "{a: '2024-01-01'}"),
                   MANIFEST.replace("{a: b}", "{a: 2024-01-01}")),
}


@pytest.mark.parametrize("case", LEGIT)
def test_legitimate_oddities_compare_as_their_plain_spelling(tmp_path, case):
    plain, variant = LEGIT[case]
    a = write(tmp_path / "a" / "Pulumi.dev.yaml", plain)
    b = write(tmp_path / "b" / "Pulumi.dev.yaml", variant)
    run = run_cli("diff", "--config", str(a), "--config", str(b), cwd=tmp_path,
                  seconds=RENDER_SECONDS)
    assert (run.code, "Traceback" in run.err) == (0, False), run.err
    assert "no changes" in run.out
    old, new = LEGIT_MANIFESTS[case]
    write(tmp_path / "da" / "c.yaml", old)
    write(tmp_path / "db" / "c.yaml", new)
    run = run_cli("diff", "--dir", str(tmp_path / "da"), "--dir", str(tmp_path / "db"),
                  cwd=tmp_path)
    assert (run.code, run.err) == (0, ""), run.out + run.err


def test_a_legitimate_oddity_renders_as_its_plain_spelling(tmp_path):
    from components.render.renderer import render_stack_file

    plain, variant = LEGIT["BOM"]
    variant = variant.replace("\n", "\r\n")
    expected = render_stack_file(write(tmp_path / "a" / "Pulumi.dev.yaml", plain))
    run = run_cli("render", "--config", str(write(tmp_path / "b" / "Pulumi.dev.yaml", variant)),
                  cwd=tmp_path, seconds=RENDER_SECONDS)
    assert run.code == 0, run.err
    assert run.out == expected.manifests.to_yaml() and "kind: DaemonSet" in run.out


# --- the last line of defence: a crash is exit 3 ------------------------------

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


def test_the_largest_folder_the_reader_accepts_is_compared_within_the_bound(tmp_path):
    """Aliases that expand to nearly max_expanded_nodes, added: the report
    once spent 30 s printing them as YAML."""
    blob = ", ".join(f"k{i}: v{i}" for i in range(1000))
    uses = ", ".join(f"d{i}: *a" for i in range(490))
    write(tmp_path / "new" / "c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, "
          f"namespace: ns}}\nx: &a {{{blob}}}\ndata: {{{uses}}}\n")
    (tmp_path / "old").mkdir()
    run = run_cli("diff", "--dir", str(tmp_path / "old"), "--dir", str(tmp_path / "new"),
                  cwd=tmp_path)
    assert run.code == 1 and "(over 20000 values: each field on one line)" in run.out, run.err
    assert len(run.out) < 5000 and run.max_rss < MAX_RSS
    REPORT.append(f"hostile input: a folder at the alias limit compared in {run.seconds:.1f} s, "
                  f"peak RSS {run.max_rss >> 20} MiB")
