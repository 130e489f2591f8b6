"""`diff --format markdown`: a pull request's comment, its fences and marks, its limit."""


import pytest

from components.cli import main as cli_main
from components.render.manifests import Manifest
from components.review.pairing import compare
from components.review.report import _fence, as_markdown
from tests.review.test_diff import (
    run,
)


def test_markdown_is_a_pull_request_comment(capsys):
    code, out, _ = run(capsys, "diff", "--stack", "dev", "--stack", "prod", "--format",
                       "markdown")
    assert code == 1
    # Every object both have changed: at least its app.kubernetes.io/instance, the stack.
    assert out.startswith("### redis-filebeat: `--stack dev` → `--stack prod`\n\n"
                          "**13 changed, 4 added, 1 removed**\n")
    assert ("- **DaemonSet logging/filebeat**: pod template changed → RollingUpdate replaces "
            "pods on every selected node, at most 10% of the selected nodes unavailable at a "
            "time") in out
    assert out.count("<details>") == out.count("</details>") == 18  # one per object
    assert "+  - multiline:" in out  # a ConfigMap file's added line, coloured by the diff fence


def test_a_fence_outlasts_backticks_in_values():
    assert _fence("plain") == "```"
    assert _fence("a ```` run") == "`````"
    md = as_markdown([], "a", "b")
    assert md == "### redis-filebeat: `a` → `b`\n\n**no changes**\n"


def thousand_rolling():
    """A thousand DaemonSets whose image changes: a thousand impact lines."""
    def daemon_set(n: int, image: str) -> Manifest:
        return Manifest({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": {"name": f"d{n:04}", "namespace": "ns"},
                         "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                             "spec": {"containers": [{"name": "c", "image": image}]}}}})

    return compare([daemon_set(n, "i:1") for n in range(1000)],
                   [daemon_set(n, "i:2") for n in range(1000)])


def test_a_long_list_of_consequences_is_cut_too():
    """A thousand DaemonSets rolling make a thousand impact lines: they get half
    the comment, and every line left out is counted."""
    diffs = thousand_rolling()
    md = as_markdown(diffs, "--dir a", "--dir b", limit=20_000)
    assert 19_000 < len(md) < 20_500
    consequences = md.split("#### What happens in the cluster\n\n")[1].split("\n\n")[0]
    lines = consequences.splitlines()
    assert len(md.split("#### Objects")[0]) < 10_000 + 200  # half, and the count line
    assert lines[-1] == (f"- …and {1000 - len(lines[:-1])} more, left out to fit a comment: "
                         "run `python -m components diff --dir a --dir b` to see them")
    assert all(line.startswith("- **DaemonSet ns/d") for line in lines[:-1])
    assert md.count("<details>") + int(md.rstrip().split("…and ")[-1].split()[0]) == 1000


COMMENT = ["diff", "--stack", "dev", "--stack", "prod", "--format", "markdown"]


def test_a_comment_limit_below_1000_is_refused(capsys):
    with pytest.raises(SystemExit) as exit:
        cli_main([*COMMENT, "--comment-limit", "999"])
    assert exit.value.code == 2
    assert "--comment-limit must be at least 1000" in capsys.readouterr().err


@pytest.mark.parametrize("limit", [1000, 1058, 1500, 2000, 3000, 5000])
def test_the_comment_limit_holds_with_what_was_left_out(capsys, limit):
    """The lines that count what was left out are part of the comment too."""
    assert cli_main([*COMMENT, "--comment-limit", str(limit)]) == 1
    out = capsys.readouterr().out
    assert len(out) <= limit and "left out to fit a comment" in out


@pytest.mark.parametrize("limit", [1000, 1700, 4000, 20_000])
def test_a_long_report_stays_within_any_limit(limit):
    diffs = thousand_rolling()
    md = as_markdown(diffs, "--dir a", "--dir b", limit=limit)
    assert limit - 300 < len(md) <= limit
    assert md.rstrip().endswith("more objects, left out to fit a comment: run "
                                "`python -m components diff --dir a --dir b` to see them")


def test_a_long_diff_is_cut_to_fit_a_comment():
    def config_map(n: int, text: str) -> Manifest:
        return Manifest({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": f"c{n:03}", "namespace": "ns"},
                         "data": {"f": text}})

    big = "\n".join(f"line {i}" for i in range(400))
    diffs = compare([config_map(n, big) for n in range(100)],
                    [config_map(n, big.replace("line", "LINE")) for n in range(100)])
    md = as_markdown(diffs, "--dir a", "--dir b")
    assert len(md) < 65_536
    assert md.rstrip().endswith("more objects, left out to fit a comment: run "
                                "`python -m components diff --dir a --dir b` to see them")
    assert md.count("<details>") == md.count("</details>") == 5


def test_markdown_marks_file_lines_that_start_like_a_diff_header():
    """text_diff drops the headers already, so a removed `---` or an added
    `+++c` is a file's line and must show as removed or added."""
    def config_map(text: str) -> Manifest:
        return Manifest({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "c", "namespace": "ns"}, "data": {"f": text}})

    md = as_markdown(compare([config_map("a\n---\n---c\n")], [config_map("a\n+++c\n")]),
                     "a", "b")
    fenced = md.split("```diff\n")[1].split("```")[0].splitlines()
    assert [line for line in fenced if line[:1] in "+-"] == ["----", "----c", "++++c"]


def test_markdown_escapes_object_names():
    hostile = Manifest({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": "<details><summary>x"}})
    md = as_markdown(compare([hostile], []), "a", "b")
    assert "- **Namespace \\<details\\>\\<summary\\>x**" in md
    assert md.splitlines().count("<details>") == md.splitlines().count("</details>") == 1
