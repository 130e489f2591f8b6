"""Hostile YAML through the real CLI: every attack ends in exit 2, one line
per problem naming the file, within the bound docs/security.md states.

Each case runs `python -m components` (tests/cli's run_cli: address space
capped, killed past a time limit) for `render --config`, `diff --config
X --config Y` and `diff --dir`. Inputs that are legitimately fine (a BOM, CRLF,
merge keys, timestamps) must instead render, or compare, as their plain
spelling does. Hostile paths (symlinks, FIFOs) are in test_hostile_paths.py,
crashes (exit 3) in test_crash_exit.py.
"""

import pytest

from tests.cli import (
    MANIFEST,
    MAX_RSS,
    RENDER_SECONDS,
    assert_refused,
    plain_stack,
    run_cli,
    write,
)
from tests.configs import REPORT


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
