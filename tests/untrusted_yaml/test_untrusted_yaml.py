"""components/untrusted_yaml/: hostile YAML ends in one line per problem.

Here, what is read and how each refusal reads: tags, merge keys, encodings, tabs,
duplicate and collection keys, several documents, and the repository's own YAML read
as yaml.safe_load reads it. The limits on size, depth and alias expansion are in
test_untrusted_yaml_limits.py."""

import json
from typing import Any

import pytest
import yaml

from components.untrusted_yaml import UntrustedYamlError, load_document, load_documents
from tests.configs import ROOT
from tests.untrusted_yaml.refusals import ORIGIN, refused

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize(("text", "what"), [
    ("a: !!python/object/apply:os.system [ls]", "would run Python code"),
    ("a: !!python/name:os.system ''", "would run Python code"),
    ("a: !foo x", "unknown tag !foo"),
    ("a: !<tag:example.com,2000:x> 1", "unknown tag tag:example.com"),
    ("a: !!binary aGVsbG8=", "the tag !!binary is not accepted"),
    ("a: !!set {x, y}", "the tag !!set is not accepted"),
    ("a: !!omap [{x: 1}]", "the tag !!omap is not accepted"),
    ("a: !!pairs [{x: 1}]", "the tag !!pairs is not accepted"),
    ("a: !!map [1]", "the tag !!map is on a sequence"),
    ("a: !!int ten", "'ten' is tagged !!int but is not a number"),
    ("a: !!bool maybe", "'maybe' is tagged !!bool but is not true or false"),
])
def test_tags_outside_the_json_like_core_are_refused(text: str, what: str) -> None:
    (line,) = refused(text)
    assert line.startswith(f"{ORIGIN}:1:4: ") and what in line


def test_core_tags_and_timestamps_are_read() -> None:
    text = ("s: !!str 1\ni: !!int '2'\nf: !!float 1\nb: !!bool yes\nn: !!null ''\n"
            "when: 2024-01-01\nat: 2001-12-14t21:59:43.10-05:00\nlist: !!seq [1]\n")
    assert load_document(text, ORIGIN) == {
        "s": "1", "i": 2, "f": 1.0, "b": True, "n": None, "when": "2024-01-01",
        "at": "2001-12-14t21:59:43.10-05:00", "list": [1]}


def test_merge_keys_resolve_as_yaml_1_1_says() -> None:
    text = ("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\n"
            "own: {<<: *a, x: 9}\nlisted: {<<: [*a, *b]}\nvalue: <<\n")
    document = load_document(text, ORIGIN)
    assert document["own"] == {"x": 9, "y": 1}
    assert document["listed"] == {"x": 1, "y": 1, "z": 2}
    assert document["value"] == "<<"
    without_value = text.replace("value: <<\n", "")
    assert load_document(without_value, ORIGIN) == yaml.load(without_value, Loader=SAFE_LOADER)


def test_a_merge_of_something_other_than_mappings_is_refused() -> None:
    assert "`<<` merges a mapping or a list of mappings, not 'x'" in refused("a: {<<: x}")[0]


def test_a_bom_and_crlf_line_ends_are_read() -> None:
    assert load_document(b"\xef\xbb\xbfa: 1\r\nb: [2]\r\n", ORIGIN) == {"a": 1, "b": [2]}


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\n\tb: 2\n", f"{ORIGIN}:2:1: "),
    ("a: 1\nb: x\x00y\n", f"{ORIGIN}:2:5: holds the control character U+0000"),
    (b"a: 1\nb: \xff\n", f"{ORIGIN}:2:4: is not UTF-8: byte 0xff"),
    ("a: \ud800\n", f"{ORIGIN}:1:4: holds a lone surrogate"),
    ("a: [1, 2\n", f"{ORIGIN}:2:1: "),
])
def test_text_that_is_not_yaml_is_one_line_with_its_place(text: str | bytes,
                                                         expected: str) -> None:
    (line,) = refused(text)
    assert line.startswith(expected)


TAB = "holds a tab, and YAML indents with spaces only: replace the tab with spaces"


@pytest.mark.parametrize(("text", "place"), [
    ("config:\n\tredis-filebeat:namespace: x\n", "2:1"),  # PyYAML: "cannot start any token"
    ("ü: 1\na:\n  b: 1\n\tc: 2\n", "4:1"),  # "violates indentation"; columns count characters
    ("a:\n \t b: 1\n", "2:2"),
    ("- a\n-\tb\n", "2:2"),
    ("a: |\n\tx\n", "2:1"),  # in a block scalar
])
def test_a_tab_is_named_with_its_line_and_column(text: str, place: str) -> None:
    assert refused(text) == [f"{ORIGIN}:{place}: {TAB}"]


def test_a_tab_where_yaml_allows_one_is_read() -> None:
    assert load_document("a:\tb\nc: [1,\t2]  \t# x\n", ORIGIN) == {"a": "b", "c": [1, 2]}


def test_an_empty_file_and_a_comment_are_no_document() -> None:
    assert load_documents("", ORIGIN) == [] and load_documents(b"# nothing\n", ORIGIN) == []
    assert load_document("", ORIGIN) is None and load_document("---\n", ORIGIN) is None


def test_a_duplicate_key_is_named_with_both_places() -> None:
    (line,) = refused("config:\n  a: 1\n  b: 2\n  a: 3\n")
    assert line == (f"{ORIGIN}:4:3: the key 'a' appears twice in this mapping, "
                    "first at line 2, column 3")


def test_every_duplicate_is_reported_and_the_list_is_capped() -> None:
    assert len(refused("a: 1\na: 2\nb: 1\nb: 2\n")) == 2
    lines = refused("".join("a: 1\n" for _ in range(50)), max_problems=5)
    assert len(lines) == 6 and "stopped after 5 problems" in lines[-1]


def test_a_syntax_error_after_the_last_problem_allowed_still_ends_in_lines() -> None:
    # Found by tests/untrusted_yaml/test_yaml_fuzz.py: the parser's error, recorded past the
    # cap, escaped as the builder's internal _Fatal.
    lines = refused("".join("a: 1\n" for _ in range(6)) + "b: [\n", max_problems=5)
    assert len(lines) == 6 and "stopped after 5 problems" in lines[-1]


@pytest.mark.parametrize(("text", "kind"), [
    ("? [a, b]\n: 1\n", "list"), ("? {a: 1}\n: 1\n", "mapping"),
    ("x: &l [1]\ny: {*l : 1}\n", "list")])
def test_a_key_that_is_a_collection_is_refused(text: str, kind: str) -> None:
    (line,) = refused(text)
    assert f"a key must be text or a number, not a {kind}" in line


def test_an_echoed_key_is_one_short_printable_line() -> None:
    key = json.dumps("x\n" * 5000)
    (line,) = refused(f"? {key}\n: 1\n? {key}\n: 2\n")
    assert len(line) < 200 and "..." in line


def test_several_documents_are_read_and_load_document_wants_one() -> None:
    assert load_documents("--- 1\n---\n--- {a: b}\n", ORIGIN) == [1, None, {"a": "b"}]
    assert refused_one("a: 1\n---\nb: 2\n") == [
        f"{ORIGIN}:2:1: holds 2 documents (`---`); only one is expected here"]


def refused_one(text: str) -> list[str]:
    with pytest.raises(UntrustedYamlError) as caught:
        load_document(text, ORIGIN)
    return caught.value.lines()


MANIFEST = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: filebeat, namespace: logging, labels: {app.kubernetes.io/name: filebeat}}
spec:
  template:
    spec:
      containers:
        - name: filebeat
          args: ["-c", "/etc/filebeat.yml", "-e"]
          resources: {limits: {cpu: "1", memory: 500Mi}}
          securityContext: {runAsUser: 0, readOnlyRootFilesystem: true}
      tolerations: [{operator: Exists}]
      terminationGracePeriodSeconds: 30
      priority: -1.5
      note: null
      yes_no: [yes, no, on, off, ~, 0x1f, 0o17, 1_000]
---
apiVersion: v1
kind: ConfigMap
data:
  filebeat.yml: |
    filebeat.inputs:
      - type: container
"""


@pytest.mark.parametrize("path", sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
                         + sorted((ROOT / "tests" / "tutorial").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_the_repositorys_yaml_reads_as_safe_load_reads_it(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_documents(text, str(path)) == list(yaml.load_all(text, Loader=SAFE_LOADER))


def test_a_manifest_reads_as_safe_load_reads_it() -> None:
    assert load_documents(MANIFEST, ORIGIN) == list(yaml.load_all(MANIFEST, Loader=SAFE_LOADER))
