"""`python -m components coverage`: its options, and its run once the stack is rendered.

Every command's parser holds these options, so the check, the inventory
reader and the reports are imported only once `coverage` runs: `render`
does not pay for them.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..render.manifests import Manifest
    from .check import Expectation

EXIT_COVERED, EXIT_GAPS = 0, 1
HELP = """Which node runs which of the stack's DaemonSets, and why the others do not, by
the DaemonSet controller's own rules (nodeSelector, required node affinity, taints
against the pod's tolerations and the ones the controller adds).

exit codes: 0 every node runs exactly one; 1 some node runs none (a log gap) or two
(duplicate shipping), beyond the --expect-uncovered ones; 2 bad input (one line per
problem); 3 a crash: a bug in redis-filebeat."""


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "coverage", help="which nodes get no log shipper, or two, and why",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", metavar="NAME", help=(
        "render stack NAME (Pulumi.NAME.yaml in Pulumi.yaml's stackConfigDir, else beside it)"))
    source.add_argument("--config", metavar="PATH", help="render this stack file")
    source.add_argument("--dir", metavar="DIR", help="a folder written by render --out")
    parser.add_argument("--nodes", metavar="FILE", type=Path, required=True,
                        help="`kubectl get nodes -o yaml` (or -o json), or a list of nodes "
                             "with name, labels and taints")
    parser.add_argument("--expect-uncovered", metavar="SELECTOR", action="append", default=[],
                        type=_expectation,
                        help="nodes that need no log shipper, as a label selector: key, "
                             "!key, key=value (or ==), key!=value, joined by commas; "
                             "repeatable (e.g. "
                             "node-role.kubernetes.io/control-plane)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                        help="markdown: a pull-request comment; json: one object per node")


def _expectation(text: str) -> "Expectation":
    from .check import parse_expectation

    try:
        return parse_expectation(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def source_of(args: argparse.Namespace) -> tuple[str, str]:
    """Which side to read, as `diff` names its sides."""
    kind = next(k for k in ("stack", "config", "dir") if getattr(args, k) is not None)
    return kind, getattr(args, kind)


def run(args: argparse.Namespace, manifests: Sequence["Manifest"], label: str) -> int:
    """Raises InventoryError for an unreadable inventory."""
    from .check import coverage
    from .inventory import read_inventory
    from .report import as_json, as_markdown, as_text

    result = coverage(manifests, read_inventory(args.nodes), args.expect_uncovered)
    label = f"{label} against {args.nodes}"
    if args.format == "json":
        sys.stdout.write(as_json(result))
    elif args.format == "markdown":
        sys.stdout.write(as_markdown(result, label))
    else:
        sys.stdout.write(as_text(result, label))
    return EXIT_COVERED if result.ok else EXIT_GAPS
