"""docs/rollouts.md's OnDelete script, read against a node-class render.

The script rolls each DaemonSet node by node, finding a node's pod by a
label selector. With node classes there is one DaemonSet per class, and
their pods share `app.kubernetes.io/name`: a selector must be each
DaemonSet's own, or the script finds no pod (and skips every node) or
another class's. The script is read from the doc, its shell and kubectl
go-template evaluated here on the rendered objects as they would be in the
cluster, so the doc cannot drift from what a render gives.
"""

import json
import re

import pytest

from components.coverage.check import parse_expectation
from components.render.renderer import render_stack_file
from tests.configs import ROOT

HEADING = "## OnDelete: rolling by hand"


def script() -> str:
    text = (ROOT / "docs" / "rollouts.md").read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def mixed_nodes():
    return render_stack_file(ROOT / "stacks" / "Pulumi.mixed-nodes.yaml")


def go_template(template: str, body: dict) -> str:
    """The little of Go's text/template the script uses: text, `{{.a.b}}`,
    and `{{range $k, $v := .a.b}}...{{end}}` over a map, in key order as Go ranges it."""
    def field(path: str):
        value = body
        for key in path.strip(".").split("."):
            value = value[key]
        return value

    def expand(text: str, scope: dict[str, str]) -> str:
        out = ""
        while text:
            loop = re.match(r"\{\{range \$(\w+), \$(\w+) := (\.[\w.]+)\}\}(.*?)\{\{end\}\}", text,
                            re.S)
            if loop:
                key, value, path, inner = loop.groups()
                out += "".join(expand(inner, {**scope, key: k, value: v})
                               for k, v in sorted(field(path).items()))
                text = text[loop.end():]
            elif action := re.match(r"\{\{\s*(\$\w+|\.[\w.]+)\s*\}\}", text):
                name = action.group(1)
                out += scope[name[1:]] if name.startswith("$") else str(field(name))
                text = text[action.end():]
            elif text.startswith("{{"):
                raise AssertionError(f"this test does not read the template action {text!r}")
            else:
                plain = re.match(r"[^{]+|\{", text)
                assert plain is not None
                out += plain.group(0)
                text = text[plain.end():]
        return out

    return expand(template, {})


def shell(word: str, variables: dict[str, str]) -> str:
    """`$name`, `${name}` and `${name%suffix}` in a double-quoted word."""
    def value(match: re.Match) -> str:
        name, suffix = match.group(1) or match.group(3), match.group(2)
        found = variables[name]
        return found.removesuffix(suffix) if suffix else found

    return re.sub(r"\$\{(\w+)(?:%([^}]*))?\}|\$(\w+)", value, word.strip("\"'"))


def selector_for(daemon_set: dict, text: str) -> str:
    """What the script passes to `kubectl get pod -l` while it rolls `daemon_set`."""
    variables = {"ds": daemon_set["metadata"]["name"], "ns": daemon_set["metadata"]["namespace"]}
    for name, template in re.findall(
            r"(\w+)=\$\(kubectl -n \$ns get ds \$ds -o go-template='([^']*)'\)", text):
        variables[name] = go_template(template, daemon_set)
    [word] = re.findall(r"get pod -l (\"[^\"]*\"|'[^']*'|\S+)", text)
    return shell(word, variables)


def daemon_sets_visited(text: str, outputs: dict) -> list[str]:
    """The DaemonSets the script's loop goes through: `for ds in $(pulumi stack
    output NAME --json | tr -d 'CHARS')`, or a fixed `ds=NAME`."""
    loop = re.search(r"for ds in \$\(pulumi stack output (\w+) --json \| tr -d '([^']*)'\)", text)
    if loop is None:
        return re.findall(r"\bds=(\S+)", text)
    printed = json.dumps(outputs[loop.group(1)], indent=2)  # as `pulumi stack output --json`
    return printed.translate({ord(c): None for c in loop.group(2)}).split()


def test_the_script_rolls_every_daemon_set_of_the_stack(mixed_nodes):
    rendered = sorted(mixed_nodes.manifests["DaemonSet"])
    assert sorted(daemon_sets_visited(script(), mixed_nodes.outputs)) == rendered


def test_each_daemon_sets_selector_finds_its_own_pods_and_only_them(mixed_nodes):
    daemon_sets = dict(mixed_nodes.manifests["DaemonSet"])
    assert len(daemon_sets) == 2  # one per node class
    for name, body in daemon_sets.items():
        selector = parse_expectation(selector_for(body, script()))
        found = [other for other, pod in daemon_sets.items()
                 if selector.matches(pod["spec"]["template"]["metadata"]["labels"])]
        assert found == [name], selector.text
