"""Our pattern check against a real filebeat: `filebeat test config` on one
filebeat.yml per pattern, the pattern in a drop_event processor's `when.regexp`.

A condition's regexp goes through libbeat's match.Compile, as a multiline
pattern and excludeFiles do; `test config` builds the processors but not the
inputs, so a bad multiline pattern would pass it and only fail the input at
start. One config per pattern, since filebeat stops at its first error; they
run side by side, a few seconds in all.

filebeat is built with `toolchain/build filebeat`; without it on PATH this
skips, unless RUNTIME_REQUIRED=1 (as .ci/run sets after building it), which
fails instead.
"""

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from components.config.filebeat.re2 import Re2Pattern
from tests.config.test_re2 import LOG_PATTERNS
from tests.real.tools import required_tool

FILEBEAT, pytestmark = required_tool("filebeat", "RUNTIME_REQUIRED", build="filebeat")

PATTERNS = [
    *LOG_PATTERNS,
    # Python's re reads these, filebeat does not.
    "(?>abc)", "a*+", "(?x)abc", "(?#c)", "(?P=n)", "(a)?(?(1)b|c)", r"x\Z", "(?=x)", r"(a)\1",
    # filebeat reads these, Python's re did not, or read otherwise.
    r"x\z", r"\pL", r"\Q.*\E", r"\12", "a{,3}", "(?P<n>a)(?P<n>b)", r"[(?<]x", r"\(?<b>",
    # RE2 reads these, Go does not.
    r"\C", "(?P<名>x)",
    # Go 1.25 and later cannot look these scripts up.
    r"\p{Old_Italic}", r"\p{SignWriting}",
    # Refused by both; read by both.
    "a{1001}", "(a{500}){3}", r"\p{Zzzz}", "a{1000}", r"(?i)\p{Greek}+", "a{0,496}",
    # filebeat's rewrite nests x{n,m} past Go's depth.
    "a{0,501}", "a{0,1000}",
    # Depth from the pattern's shape (re2_depth.py), at and past Go's 1000 levels.
    "b" * 3000, "|".join(f"keyword{i:04d}" for i in range(150)), "x{0,300}y{0,400}",
    "(" * 999 + "a" + ")" * 999, "(" * 1000 + "a" + ")" * 1000, "(?:" * 600 + "a" + ")" * 600,
    "(?:a|" * 330 + "b" + ")" * 330, "(" * 499 + "a" + ")*" * 499, "(" * 501 + "a" + ")*" * 501,
    "(?:" * 999 + "a*" + ")*" * 999, "(a){0,498}", "(?:a|b{0,450})c{0,40}",
    "|".join("a" * k for k in range(1, 480)), "|".join("a" * k for k in range(1, 520)),
    "|".join("[ab]" * k + "c" for k in range(1, 300)),
]
STRICTER = {
    "(?<n>x)": "filebeat 8.13 and older (Go 1.21) refuse it",
    r"\p{Kawi}": "filebeat 8.10 to 8.12 (Go 1.20, Unicode 13) refuse it",
    r"\p{Letter}": "Go 1.25 added long names; RE2 and older filebeats refuse them",
    r"\pL{1000}": "over RE2's 8 MB program, which Go builds in runes",
    "a{0,500}": "the depth count is an upper bound: Go's tree is 1000 deep, just within",
    "(a){0,499}": "the same, with a group",
    "(" * 999 + "ab" + ")" * 999: "the depth count takes a literal run for a concatenation",
    "(a|" * 400 + "b" + ")" * 400: "the depth count lets each alternation nest two levels "
                                   "for each piece its second-longest branch has",
    "a" * 600 + "x|" + "a" * 600 + "y": "the same: Go factors the shared run out at once",
}
"""Read by this filebeat (main's, built with Go 1.26), refused by our check
on purpose, with the reason."""


def ours(pattern: str) -> bool:
    try:
        TypeAdapter(Re2Pattern).validate_python(pattern)
    except ValidationError:
        return False
    return True


def filebeat_reads(pattern: str, home: Path) -> bool:
    assert FILEBEAT
    home.mkdir()
    config = {"filebeat.inputs": [{"type": "filestream", "id": "x",
                                   "paths": [str(home / "none.log")]}],
              "processors": [{"drop_event": {"when": {"regexp": {"message": pattern}}}}],
              "output.console": {"enabled": True}}
    (home / "filebeat.yml").write_text(json.dumps(config))  # JSON is YAML
    result = subprocess.run([FILEBEAT, "test", "config", "-c", str(home / "filebeat.yml"),
                             "--path.home", str(home), "--path.data", str(home / "data"),
                             "--path.logs", str(home / "logs")],
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        assert "Config OK" in output, output
        return True
    assert "error parsing regexp" in output, f"{pattern!r}: not a regexp error: {output}"
    return False


def test_filebeat_reads_exactly_what_the_check_accepts(tmp_path):
    patterns = [*PATTERNS, *STRICTER]
    with ThreadPoolExecutor(max_workers=4) as pool:
        read = dict(zip(patterns, pool.map(filebeat_reads, patterns,
                                           [tmp_path / str(i) for i in range(len(patterns))]),
                        strict=True))
    disagree = {p: f"filebeat {'reads' if read[p] else 'refuses'} it, we do not"
                for p in PATTERNS if ours(p) != read[p]}
    assert disagree == {}
    assert {p: (read[p], ours(p)) for p in STRICTER} == {p: (True, False) for p in STRICTER}
    assert sum(read[p] for p in PATTERNS) >= len(LOG_PATTERNS)
