"""components/untrusted_yaml/'s limits: a hostile text too big, too deep or too
expanded is refused in one line per problem, quickly and in bounded memory, while a
text just inside each limit is read.

Together because each is about the cost of reading (alias expansion, merges, nesting,
bytes, scalars, numbers, nodes) and the Limits that bound it; what YAML is accepted at
all is in test_untrusted_yaml.py."""

import subprocess
import sys
import textwrap

import pytest

from components.untrusted_yaml import DEFAULT_LIMITS, Limits, load_document, load_documents
from tests.configs import ROOT
from tests.untrusted_yaml.refusals import ORIGIN, refused


def laughs(levels: int = 9, width: int = 10) -> str:
    rows = ['a0: &a0 "lol"']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def test_billion_laughs_is_refused_within_a_second_and_512_mib() -> None:
    script = textwrap.dedent(f"""
        import resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
        from components.untrusted_yaml import UntrustedYamlError, load_documents
        started = time.perf_counter()
        try:
            load_documents({laughs()!r}, "bomb.yaml")
        except UntrustedYamlError as error:
            print(time.perf_counter() - started, error)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=30, check=True)
    seconds, line = run.stdout.split(" ", 1)
    assert float(seconds) < 1.0
    assert line.startswith("bomb.yaml:7:45: would have more than 1000000 nodes with its "
                           "aliases expanded")


def test_a_bomb_below_the_limit_still_counts_every_expanded_node() -> None:
    # 1 + 10 + 100 + 1000 scalars, plus collections: counted, not guessed.
    assert refused(laughs(levels=4), max_expanded_nodes=1000)
    assert load_documents(laughs(levels=4), ORIGIN, limits=Limits(max_expanded_nodes=2000))


def test_one_long_scalar_aliased_many_times_is_refused_by_its_characters() -> None:
    text = f'a: &a "{"x" * 100_000}"\nb: [{", ".join(["*a"] * 400)}]\n'
    (line,) = refused(text)
    assert line.startswith(f"{ORIGIN}:2:") and "characters with its aliases" in line


def test_a_wide_list_aliased_many_times_is_refused_by_its_nodes() -> None:
    text = f"a: &a [{', '.join(['1'] * 5000)}]\nb: [{', '.join(['*a'] * 300)}]\n"
    assert "nodes with its aliases expanded" in refused(text)[0]


def test_an_anchor_that_contains_itself_is_refused() -> None:
    (line,) = refused("a: &loop [1, *loop]\n")
    assert line == (f"{ORIGIN}:1:14: the alias *loop is inside its own anchor: a value "
                    "that contains itself has no end")
    assert "no anchor &nowhere" in refused("a: *nowhere\n")[0]


def test_flow_nesting_of_100000_levels_ends_in_one_line() -> None:
    (line,) = refused("[" * 100_000 + "]" * 100_000)
    assert "nesting depth" in line or "nests more than" in line


@pytest.mark.parametrize("text", ["- " * 101 + "x\n", "{a: " * 101 + "1" + "}" * 101])
def test_nesting_past_max_depth_is_refused(text: str) -> None:
    assert "nests more than 100 lists and mappings deep" in refused(text)[0]


def test_nesting_at_max_depth_is_read() -> None:
    assert load_document("- " * 100 + "x\n", ORIGIN) is not None


def test_a_text_past_max_bytes_is_refused_before_parsing_at_the_place_it_crosses() -> None:
    assert refused("a: b\n" + "[" * 200, max_bytes=100) == [
        f"{ORIGIN}:2:96: is longer than 100 bytes; refused unread"]
    assert "is longer than 100 bytes" in refused(("é" * 60).encode(), max_bytes=100)[0]


def test_a_scalar_past_max_scalar_chars_is_refused() -> None:
    assert "a value of 2000 characters" in refused("a: " + "x" * 2000, max_scalar_chars=1000)[0]


@pytest.mark.parametrize("number", ["9" * 5000, "0b" + "1" * 5000, "1." + "5" * 200, "1" * 101])
def test_a_long_number_is_refused_not_a_valueerror(number: str) -> None:
    (line,) = refused(f"a: {number}\n")
    assert line.startswith(f"{ORIGIN}:1:4: a number of ") and "quote it if it is text" in line


def test_a_long_number_quoted_is_text() -> None:
    assert load_document(f'a: "{"9" * 5000}"', ORIGIN) == {"a": "9" * 5000}


def test_many_keys_are_read_and_too_many_nodes_are_refused() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(20_000))
    assert len(load_document(text, ORIGIN)) == 20_000
    assert "holds more than 10000 nodes" in refused(text, max_nodes=10_000)[0]


def test_merges_count_towards_the_expanded_size() -> None:
    text = f"a: &a {{{', '.join(f'k{i}: {i}' for i in range(2000))}}}\n" + "".join(
        f"b{i}: {{<<: *a}}\n" for i in range(300))
    assert "nodes with its aliases expanded" in refused(text)[0]


def test_the_default_limits_are_the_documented_ones() -> None:
    assert DEFAULT_LIMITS == Limits()
    assert Limits().max_expanded_nodes >= Limits().max_nodes
    assert Limits().max_expanded_chars >= Limits().max_bytes
