"""Mutated YAML text (structure and bytes) ends in values or in clean lines.

The seeds are the repository's stack files and a manifest-like document; each
case applies a few mutations to the text itself: spans inserted, deleted or
repeated, anchors and aliases spliced in, indentation flipped, `? `, tags,
`<<:`, control bytes and long digit runs injected. YAML_FUZZ_CASES sets the
number of cases (default 200, a few seconds); the counts are shown at the end
of the run (tests/conftest.py).

A second property feeds mutated stack files on through the stack-file reader
and `parse_config`, in this process, as `render` would: the outcome must be
a config, or a StackFileError or ConfigError of clean lines naming the file,
and never any other exception.
"""

import os
import sys
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.untrusted_yaml import Problem, UntrustedYamlError, load_documents
from tests.configs import REPORT, ROOT

CASES = int(os.environ.get("YAML_FUZZ_CASES", "200"))
SECONDS_PER_CASE = 5.0
"""Generous for a loaded CI machine; a hang or a blow-up takes far longer."""
ORIGIN = "fuzz.yaml"
MANIFEST = b"""\
apiVersion: apps/v1
kind: DaemonSet
metadata: &meta
  name: filebeat
  labels: {app: filebeat, "on": yes}
spec:
  template:
    metadata: {<<: *meta, annotations: {at: 2024-01-01}}
    spec:
      containers:
        - name: filebeat
          args: ["-c", /etc/filebeat.yml]
          resources: {limits: {cpu: "1", memory: 500Mi}}
---
kind: ConfigMap
data:
  filebeat.yml: |
    filebeat.inputs: [{type: container}]
"""
STACK_SEEDS = [p.read_bytes() for p in sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))]
SEEDS = [*STACK_SEEDS, MANIFEST]
FRAGMENTS = [
    b"&a ", b"*a", b"&b [*a, *a, *a, *a]", b"*b", b"? ", b"? [x, y]\n: ", b"? {k: 1}\n: ",
    b"<<: *a\n", b"<<: ", b"!!python/object:os.system ", b"!!binary ", b"!!set ", b"!foo ",
    b"!!int ", b"!!float ", b"!!str ", b"!!map ", b"!!seq ", b"!<tag:x,1:y> ", b"%TAG ! !x\n",
    b"\t", b"\x00", b"\x1b", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\x85",
    b"---\n", b"...\n", b"[", b"]", b"{", b"}", b": ", b", ", b"- ", b"#", b"'", b'"',
    b"|\n", b">-\n", b"2024-01-01", b"0x", b"0b", b"~", b"on", b".inf", b"1e999", b"=",
]
MUTATIONS = ("insert", "delete", "repeat", "indent", "digits")
OUTCOMES: Counter[str] = Counter()


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes] = SEEDS) -> bytes:
    text = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(MUTATIONS))
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 80)))
        if kind == "insert":
            text[at:at] = draw(st.sampled_from(FRAGMENTS) | st.binary(max_size=4))
        elif kind == "delete":
            del text[at:end]
        elif kind == "repeat":
            text[at:at] = text[at:end] * draw(st.integers(1, 50))
        elif kind == "indent":
            line = text.rfind(b"\n", 0, at) + 1
            if draw(st.booleans()):
                text[line:line] = b" " * draw(st.integers(1, 4))
            else:
                del text[line:line + 2]
        else:
            text[at:at] = b"9" * draw(st.sampled_from([20, 101, 4301, 20_000]))
    return bytes(text)


def outcome(text: bytes) -> str:
    started = time.perf_counter()
    try:
        load_documents(text, ORIGIN)
        result = "read"
    except UntrustedYamlError as error:
        lines = error.lines()
        assert lines, "an error with no problems in it"
        for line in lines:
            assert line.startswith(f"{ORIGIN}:") and line.isprintable(), line
            assert len(line) < 400, line
        result = "refused"
    assert time.perf_counter() - started < SECONDS_PER_CASE
    return result


@settings(max_examples=CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=mutated())
def check_mutated_yaml(text: bytes) -> None:
    OUTCOMES[outcome(text)] += 1


def test_mutated_yaml_is_read_or_refused_in_clean_lines() -> None:
    OUTCOMES.clear()
    started = time.perf_counter()
    check_mutated_yaml()
    total = sum(OUTCOMES.values())
    REPORT.append(f"yaml fuzz: {total} cases, {OUTCOMES['refused']} refused, 0 crashes, "
                  f"{time.perf_counter() - started:.1f} s")
    assert total >= CASES
    # Both ends are reached, or the mutations are not exercising the reader.
    assert OUTCOMES["read"] >= CASES // 20 and OUTCOMES["refused"] >= CASES // 4


STACK_OUTCOMES: Counter[str] = Counter()
STACK_ORIGIN = "stacks/Pulumi.fuzz.yaml"


def stack_outcome(text: bytes) -> str:
    from components.config.errors import ConfigError
    from components.config.files.stack_file import StackFileError, stack_config
    from components.config.stack.parse import parse_config

    started = time.perf_counter()
    try:
        parse_config(stack_config(text, STACK_ORIGIN), STACK_ORIGIN)
        result = "read"
    except (StackFileError, ConfigError) as error:
        lines = str(error).splitlines()
        assert lines, "an error with no problems in it"
        for line in lines:
            assert line.startswith(f"{STACK_ORIGIN}:") and line.isprintable(), line
        result = "refused"
    assert time.perf_counter() - started < SECONDS_PER_CASE
    return result


@settings(max_examples=CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=mutated(STACK_SEEDS))
def check_mutated_stack_file(text: bytes) -> None:
    STACK_OUTCOMES[stack_outcome(text)] += 1


def test_mutated_stack_files_are_parsed_or_refused_never_a_crash() -> None:
    STACK_OUTCOMES.clear()
    started = time.perf_counter()
    check_mutated_stack_file()
    total = sum(STACK_OUTCOMES.values())
    REPORT.append(f"yaml fuzz (stack files, through parse_config): {total} cases, "
                  f"{STACK_OUTCOMES['refused']} refused, 0 crashes, "
                  f"{time.perf_counter() - started:.1f} s")
    assert total >= CASES
    assert STACK_OUTCOMES["read"] >= 1 and STACK_OUTCOMES["refused"] >= CASES // 4


def test_the_check_fails_on_a_crash_and_on_a_broken_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(text: bytes, origin: str) -> None:
        raise TypeError("unhashable type: 'list'")

    def two_lines(text: bytes, origin: str) -> None:
        raise UntrustedYamlError(origin, [Problem(1, 1, "first\nsecond")])

    monkeypatch.setattr(sys.modules[__name__], "load_documents", crash)
    with pytest.raises(TypeError):
        outcome(b"a: 1\n")
    monkeypatch.setattr(sys.modules[__name__], "load_documents", two_lines)
    outcome(b"a: 1\n")  # the message is made printable: \n is escaped
    monkeypatch.setattr(UntrustedYamlError, "lines", lambda self: ["fuzz.yaml:1:1: a\nb"])
    with pytest.raises(AssertionError):
        outcome(b"a: 1\n")
