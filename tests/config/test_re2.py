"""Filebeat's regular expressions: accepted exactly when every filebeat from 8.10
on reads them (components/config/filebeat/re2.py says where RE2 and Go differ).

tests/real/test_filebeat_patterns.py asks a real filebeat the same questions.
"""

import subprocess
import sys

import pytest
import re2
from pydantic import TypeAdapter, ValidationError

from components.config.filebeat.re2 import Re2Pattern
from tests.configs import ROOT, refused, with_filebeat

PATTERN = TypeAdapter(Re2Pattern)


def problem(pattern: str) -> str:
    with pytest.raises(ValidationError) as caught:
        PATTERN.validate_python(pattern)
    (error,) = caught.value.errors()
    return str(error["msg"]).removeprefix("Value error, ")


LOG_PATTERNS = [r"^\s", r"^\d{4}-\d{2}-\d{2}", r"(?i)error", r"^[[:space:]]+(at|\.{3})\s",
                r"^Caused by:", r"^\[", r"\.gz$", r"^(?:INFO|WARN|ERROR)\b", r"^\S+\s+\d+",
                r"(?s)^panic:.*", r"^\d{2}:\d{2}:\d{2}\.\d{3}", r"^[^\s]"]


@pytest.mark.parametrize("pattern", [
    *LOG_PATTERNS,
    r"x\z",          # end of text: Go's spelling of Python's \Z
    r"\pL",          # a Unicode class
    r"\p{Greek}", r"\P{^L}", r"\p{Any}",
    r"\Q.*\E",       # quoted text
    r"(?P<n>x)", r"(?P<n>a)(?P<n>b)",  # Go allows a name twice
    r"\12",          # an octal escape, not a backreference
    r"[(?<]x", r"\(?<b>", r"\Q(?<\E",  # "(?<" as text, not a group
    r"\\C", r"\Q\C\E",  # a backslash then C; quoted
    r"a{,3}",        # text to Go (see below), not a repetition
    r"[\x{0}-\x{10FFFF}]{1000}",
    "a{0,498}", "(" * 999 + "a" + ")" * 999,  # the depth's bound, just within
    "b" * 3000, "|".join(f"keyword{i:04d}" for i in range(150)),  # long, and flat
    "(?:" * 600 + "a" + ")" * 600,  # non-capturing groups are no nodes
])
def test_filebeats_patterns_are_accepted(pattern):
    assert PATTERN.validate_python(pattern) == pattern


def test_a_comma_first_repetition_is_text_as_go_reads_it():
    # Python's re reads a{,3} as up to three a's; RE2 and Go read the six characters.
    assert re2.search("^a{,3}$", "a{,3}") and not re2.search("^a{,3}$", "aa")


LACKS = "uses a lookaround or backreference, which filebeat's RE2 lacks"


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?>abc)", "is not a regular expression filebeat reads: invalid perl operator: (?>"),
    ("a*+", "is not a regular expression filebeat reads: bad repetition operator: *+"),
    ("(?x)abc", "is not a regular expression filebeat reads: invalid perl operator: (?x"),
    ("(?#c)", "is not a regular expression filebeat reads: invalid perl operator: (?#"),
    ("(?P=n)", "is not a regular expression filebeat reads: invalid perl operator: (?P"),
    ("(a)?(?(1)b|c)", "is not a regular expression filebeat reads: invalid perl operator: (?("),
    (r"x\Z", r"is not a regular expression filebeat reads: invalid escape sequence: \Z"),
    ("(unclosed", "is not a regular expression filebeat reads: missing ): (unclosed"),
    ("(?=x)", LACKS), ("(?<!x)y", LACKS), (r"(a)\1", LACKS),
])
def test_what_filebeat_refuses_is_refused(pattern, message):
    assert problem(pattern) == message


@pytest.mark.parametrize(("pattern", "message"), [
    (r"\C", "uses \\C (any byte), which RE2 has and filebeat's Go regexp lacks"),
    ("(?P<名>x)", "names a group '名'; filebeat's Go regexp takes only ASCII letters, digits "
                  "and '_' in a group's name"),
    (r"\p{Old_Italic}", "uses \\p{Old_Italic}, a script name filebeat built with Go 1.25 or "
                        "later cannot look up in any spelling; give the characters' range"),
    (r"[\P{^SignWriting}]", "uses \\P{^SignWriting}, a script name filebeat built with Go 1.25 "
                            "or later cannot look up in any spelling; give the characters' "
                            "range"),
    (r"\p{Kawi}", "uses \\p{Kawi}, a script of Unicode 14 or 15, which filebeat 8.10 to 8.12 "
                  "(Go 1.20) lacks; give the characters' range"),
    (r"\p{Letter}", "is not a regular expression filebeat reads: invalid character class "
                    "range: \\p{Letter}"),
    ("(?<n>x)", "spells a named group (?<name>...), which filebeat 8.13 and older (Go 1.21 "
                "and older) refuses; write (?P<name>...)"),
    ("(?P<a>x)(?<a>y)", "spells a named group (?<name>...), which filebeat 8.13 and older (Go "
                        "1.21 and older) refuses; write (?P<name>...)"),
])
def test_where_re2_and_some_filebeat_differ_the_stricter_wins(pattern, message):
    assert problem(pattern) == message


@pytest.mark.parametrize(("pattern", "depth"), [
    ("a{0,500}", 1002),  # filebeat's rewrite: 500 nested optional copies
    ("(" * 1000 + "a" + ")" * 1000, 1001),  # a capture a level
    ("|".join("a" * k for k in range(1, 520)), 1039),  # factored, a level a shared piece
])
def test_a_pattern_that_may_nest_too_deep_is_refused(pattern, depth):
    assert problem(pattern) == (
        f"may nest deeper than the 1000 levels filebeat's Go regexp allows (up to {depth}: "
        "two for each of the m-n nested copies filebeat makes of an x{n,m}, two for each "
        "leading piece alternatives may share); narrow its {n,m} ranges or shorten its "
        "alternatives")


def test_a_pattern_too_big_for_re2_says_so():
    assert problem(r"\pL{1000}") == ("compiles beyond RE2's 8 MB, so it cannot be checked "
                                     "here; repeat a smaller class, or fewer times")


@pytest.mark.parametrize("script", ["Garay", "Sunuwar", "Todhri", "Chisoi", "Sidetic"])
def test_re2_knows_no_script_newer_than_gos_unicode_15(script):
    # Unicode 16 and 17's one-word scripts (the others have '_', refused anyway):
    # a google-re2 that knows them needs them added to the check's list.
    assert problem(rf"\p{{{script}}}") == (
        f"is not a regular expression filebeat reads: invalid character class range: "
        f"\\p{{{script}}}")


def test_the_stack_file_and_key_name_a_refused_pattern():
    condition = {"type": "drop_event", "when": {"regexp": {"message": "(?>abc)"}}}
    assert refused(with_filebeat(containerLogs={"processors": [condition]})) == [
        "<render_config>: filebeat.containerLogs.processors[0].when.regexp.message: is not a "
        "regular expression filebeat reads: invalid perl operator: (?>"]


@pytest.mark.parametrize(("stack", "loaded"), [("dev", False), ("prod", True)])
def test_re2_loads_only_for_a_stack_with_a_pattern(stack, loaded):
    probe = ("import sys\n"
             "from components.render.renderer import find_stack_file, render_stack_file\n"
             f"render_stack_file(find_stack_file({stack!r}))\n"
             "print('re2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    assert out.strip() == str(loaded)
