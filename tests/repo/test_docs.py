"""The README and docs/ are held to what they point at and what they tell people to run:

- every relative link leads to a file that exists, and every `#anchor` to a
  heading in it (GitHub's slugs);
- every `python -m components ...` in a shell block is one the CLI's parser accepts,
  and no `diff` in one compares a side with itself;
- the README's example stack file is a stack file that renders;
- no HTML comment or editing note is left in them, and the README stays short.

Each check is a function over text, tried once on a broken input below, so
each can be seen to fail.
"""

import re
import shlex
import unicodedata
from pathlib import Path

import pytest

from components import cli
from tests.configs import ROOT
from tests.repo.commands import components_commands

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_LINES = 200

FENCE = re.compile(r"^(```+|~~~+)([^\n`]*)\n(.*?)^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
SHELL_TAGS = {"sh", "bash", "console", "shell"}
# What the note pasted into the README once held; words may wrap across lines.
EDITING_NOTES = re.compile(
    r"<!--|-->|This\s+file\s+replaces|\(currently\s+lines?\b|What\s+changed\s+compared\s+with"
    r"|^Config-table\s+row\s+\(|^Section\s+\(after", re.M)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(info string's first word, body) of every fenced code block."""
    return [((info.split() or [""])[0].lower(), body) for _, info, body in FENCE.findall(text)]


def prose(text: str) -> str:
    """The text without its code: links in code are examples, not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation
    dropped, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = text.strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path, text: str) -> list[str]:
    problems = []
    for target in LINK.findall(prose(text)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            continue  # https:, mailto: and the like: not this repository's
        path_part, _, anchor = target.partition("#")
        where = f"{page.relative_to(ROOT)}: ({target})"
        if not path_part:  # #anchor: a heading of this page
            headings = anchors(text)
        else:
            linked = (page.parent / path_part).resolve()
            if not linked.exists():
                problems.append(f"{where}: no such file")
                continue
            headings = anchors(linked.read_text()) if linked.suffix == ".md" else None
        if anchor and headings is not None and anchor not in headings:
            problems.append(f"{where}: no heading with the anchor #{anchor} there")
    return problems


def refused_commands(text: str) -> list[str]:
    """Every `python -m components ...` in a shell block that the CLI refuses."""
    problems = []
    for tag, body in code_blocks(text):
        if tag not in SHELL_TAGS:
            continue
        for args in components_commands(body):
            shown = f"python -m components {shlex.join(args)}"
            try:
                parsed = cli._parser().parse_args(args)
            except SystemExit:
                problems.append(f"{shown}: refused by components.cli (its message is above)")
                continue
            sides = getattr(parsed, "sides", None) or []
            if parsed.command == "diff" and len(sides) != 2:
                problems.append(f"{shown}: diff needs two sides, old then new")
            elif parsed.command == "diff" and sides[0] == sides[1]:
                # Overrides apply to both sides: the same side twice never differs.
                problems.append(f"{shown}: diff compares a side with itself: it always "
                                "reports no changes")
    return problems


def shell_commands(text: str) -> list[list[str]]:
    return [args for tag, body in code_blocks(text) if tag in SHELL_TAGS
            for args in components_commands(body)]


def editing_notes(text: str) -> list[str]:
    """`line N: what matched` for each HTML comment or editing-note phrase."""
    return [f"line {text.count(chr(10), 0, match.start()) + 1}: {' '.join(match.group().split())}"
            for match in EDITING_NOTES.finditer(text)]


def example_stack_file() -> str:
    """The README's example: the first yaml block, a stack file's `config:`."""
    blocks = [body for tag, body in code_blocks(README.read_text()) if tag == "yaml"]
    assert blocks, "the README has no yaml block with an example stack file"
    return blocks[0]


@pytest.fixture(params=PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def page(request) -> Path:
    return request.param


def test_there_are_docs():
    assert {p.name for p in DOCS} >= {
        "buffer.md", "filebeat.md", "rollouts.md", "rendering.md", "diff.md", "testing.md",
        "e2e.md", "security.md", "benchmarks.md"}


def test_relative_links_lead_to_a_file_and_heading(page):
    assert broken_links(page, page.read_text()) == []


def test_a_broken_link_or_anchor_is_found():
    text = ("[ok](security.md#secrets) [gone](nowhere.md) [bad anchor](security.md#no-such)"
            " [here](#also-missing) [web](https://example.com/x.md) `[code](skipped.md)`"
            " [not yet generated](configuration.md)\n")
    page = ROOT / "docs" / "example.md"
    assert broken_links(page, text) == [
        "docs/example.md: (nowhere.md): no such file",
        "docs/example.md: (security.md#no-such): no heading with the anchor #no-such there",
        "docs/example.md: (#also-missing): no heading with the anchor #also-missing there",
    ]


@pytest.mark.parametrize("heading, anchor", [
    ("Rendering through the engine: `renderYamlToDirectory`",
     "rendering-through-the-engine-renderyamltodirectory"),
    ("Committed manifests (deploy/prod)", "committed-manifests-deployprod"),
    ("A pull-request comment: `--format markdown`", "a-pull-request-comment---format-markdown"),
    ("The project's own tests", "the-projects-own-tests"),
    ("`[secret]`: what the renderer and `diff` print", "secret-what-the-renderer-and-diff-print"),
])
def test_anchors_are_githubs(heading, anchor):
    assert slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor():
    assert anchors("# Notes\n## Notes\n```sh\n# not a heading\n```\n") == {"notes", "notes-1"}


def test_shell_commands_parse_with_our_cli(page):
    """Renaming a subcommand or a flag breaks this test, not a reader's copy-paste."""
    assert refused_commands(page.read_text()) == []


def test_the_docs_show_every_subcommand():
    seen = {args[0] for page in PAGES for args in shell_commands(page.read_text()) if args}
    assert {"render", "diff"} <= seen, seen


def test_a_refused_command_is_found():
    text = ("```sh\n.venv/bin/python -m components render --stack dev --frobnicate\n"
            "python -m components diff --stack dev\n"
            "python -m components diff --stack dev --stack dev --set redis.replicas=0\n```\n"
            "```yaml\npython -m components render --no-such-flag\n```\n")
    assert refused_commands(text) == [
        "python -m components render --stack dev --frobnicate: refused by components.cli "
        "(its message is above)",
        "python -m components diff --stack dev: diff needs two sides, old then new",
        "python -m components diff --stack dev --stack dev --set redis.replicas=0: diff "
        "compares a side with itself: it always reports no changes",
    ]


def test_the_readme_example_stack_file_renders(tmp_path, capsys):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    stack_file = stacks / "Pulumi.example.yaml"
    stack_file.write_text(example_stack_file())
    status = cli.main(["render", "--config", str(stack_file)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "kind: DaemonSet" in out and "kind: Deployment" in out, out


def test_no_html_comment_or_editing_note_is_left(page):
    assert editing_notes(page.read_text()) == []


def test_an_editing_note_is_found():
    text = ("Fine text.\n<!-- a note\n(currently lines 224-245, before x) and the\n"
            "config-table row. This file\nreplaces both.\n-->\n")
    assert editing_notes(text) == ["line 2: <!--", "line 3: (currently lines",
                                   "line 4: This file replaces", "line 6: -->"]


def test_the_readme_is_short():
    lines = README.read_text().count("\n")
    assert lines < README_MAX_LINES, (
        f"README.md has {lines} lines; move the depth into docs/ (at most {README_MAX_LINES - 1})")
