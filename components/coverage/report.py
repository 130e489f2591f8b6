"""Coverage as a terminal shows it, as a pull-request comment, and as JSON for machines."""

import json

from .check import Coverage, NodeCoverage

_SUMMARY = (("covered", "covered once"), ("uncovered", "uncovered (a log gap)"),
            ("doubled", "covered more than once (duplicate shipping)"),
            ("expected", "uncovered as expected"))


def summary(result: Coverage) -> str:
    return ", ".join(f"{result.counts.get(status, 0)} {words}" for status, words in _SUMMARY)


def as_text(result: Coverage, label: str) -> str:
    lines = [f"coverage: {label}: {len(result.nodes)} nodes, "
             f"{len(result.daemon_sets)} DaemonSets ({', '.join(result.daemon_sets)})", ""]
    for node in result.nodes:
        lines.append(f"{node.node.name}: {_headline(node)}")
        if node.status in ("uncovered", "expected"):
            lines += [f"  {name}: {reason}" for name, reasons in node.reasons.items()
                      for reason in reasons]
        lines += [f"  note: {note}" for note in node.notes]
    return "\n".join([*lines, "", summary(result)]) + "\n"


def _headline(node: NodeCoverage) -> str:
    if node.status == "doubled":
        count = len(node.daemon_sets)
        return f"{', '.join(node.daemon_sets)}: every log line is shipped {count} times"
    if node.status == "covered":
        return node.daemon_sets[0]
    if node.status == "expected":
        return f"no DaemonSet, as expected ({node.expected.text if node.expected else ''})"
    return "no DaemonSet runs here: its logs are never shipped"


def as_markdown(result: Coverage, label: str) -> str:
    verdict = "✅ every node is covered once" if result.ok else "❌ some nodes are not covered once"
    lines = [f"### Node coverage: {_cell(label)}", "", f"{verdict}: {summary(result)}.", ""]
    problems = [n for n in result.nodes if n.status in ("uncovered", "doubled")]
    if problems:
        lines += ["| node | runs | why the others do not |", "|---|---|---|"]
        for node in problems:
            why = "<br>".join(_cell(f"{name}: {reason}") for name, reasons in node.reasons.items()
                              for reason in reasons) if node.status == "uncovered" else ""
            runs = ", ".join(node.daemon_sets) or "**nothing: a log gap**"
            lines.append(f"| `{_cell(node.node.name)}` | {_cell(runs)} | {why} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_json(result: Coverage) -> str:
    """One node a line: json's C encoder writes no indented output."""
    return "[\n" + ",\n".join(json.dumps(node) for node in [{
        "node": node.node.name,
        "daemonSets": list(node.daemon_sets),
        "reasons": {name: list(reasons) for name, reasons in node.reasons.items()},
        "status": node.status,
        **({"notes": list(node.notes)} if node.notes else {}),
        **({"expected": node.expected.text} if node.expected else {}),
    } for node in result.nodes]) + "\n]\n"
