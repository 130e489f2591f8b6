"""The command line's options: `render`, `diff`, `coverage`, `schema` and `reference`."""

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ..coverage.command import add_parser as add_coverage_parser
from ..project import SCHEMA_FILE, VERSION

SIDE_KINDS = ("stack", "config", "dir")
"""What a side of `diff` can be; `cli.inputs.load_side` reads each."""

DEBUG_ENV = "REDIS_FILEBEAT_DEBUG"
STACK_HELP = "render stack NAME (Pulumi.NAME.yaml in Pulumi.yaml's stackConfigDir, else beside it)"


class _Side(argparse.Action):
    """Collects --stack/--config/--dir in the order given: the first is OLD."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        sides = getattr(namespace, "sides", None) or []
        namespace.sides = [*sides, (self.dest, values)]


SCRIPT = "redis-filebeat"
"""The command pyproject.toml's [project.scripts] installs."""


def prog(argv0: str | None = None, package: str = __package__ or "components") -> str:
    """How the user started us, for usage lines and the commands messages
    suggest: the installed script, else `python -m` and whichever name the
    package has (`redis_filebeat` installed, `components` in a checkout)."""
    if Path(argv0 if argv0 is not None else sys.argv[0]).name == SCRIPT:
        return SCRIPT
    return f"python -m {package.partition('.')[0]}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog(),
        description="Render the redis-filebeat stack to Kubernetes manifests, offline.",
    )
    parser.add_argument("--version", action="version", version=f"redis-filebeat {VERSION}")
    parser.add_argument("--debug", action="store_true",
                        help=f"on a crash (exit 3), print the traceback too (or set {DEBUG_ENV}=1)")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser(
        "render", epilog=_exits("rendered (with --check: the folder is up to date)",
                                "the folder given to --check is stale"),
        help="print a stack's manifests as one YAML stream",
        description="Run the Pulumi program under mocks with a stack's config and "
                    "print the manifests it would deploy. Needs no Pulumi CLI and no cluster.",
    )
    render.set_defaults(subparser=render)
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", metavar="NAME", help=STACK_HELP)
    source.add_argument("--config", metavar="PATH", type=Path,
                        help="render this stack file; - reads it from standard input")
    add_override_options(render)
    add_log_rate_option(render)
    render.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml",
                        help="yaml: one multi-document stream (default); json: one List")
    render.add_argument("--show-only", metavar="KIND/NAME", action="append", default=[],
                        help="only this object, e.g. DaemonSet/filebeat; repeatable")
    target = render.add_mutually_exclusive_group()
    target.add_argument("--out", metavar="DIR", type=Path,
                        help="write one file per object and a kustomization.yaml to DIR "
                             "instead of printing")
    target.add_argument("--check", metavar="DIR", type=Path,
                        help="write nothing; exit 1 and list the files of DIR that --out "
                             "would change")
    diff = commands.add_parser(
        "diff", epilog=_exits("no change", "changes"),
        help="compare two stacks or rendered folders, and say what the change does",
        description="Compare OLD with NEW, each a --stack, --config or --dir (a folder "
                    "written by render --out), old first: `diff --dir base/dev --stack dev`. "
                    "Prints what changes in each object, field by field, and what that will "
                    "do to running pods.",
    )
    diff.set_defaults(subparser=diff)  # its own usage, for its own errors
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the text report: auto (the default) on a terminal unless "
                           "NO_COLOR is set")
    add_override_options(diff, " (to both sides)")
    add_log_rate_option(diff)
    for kind in SIDE_KINDS:
        diff.add_argument(f"--{kind}", dest=kind, action=_Side, metavar="NAME" if kind ==
                          "stack" else kind.upper().replace("CONFIG", "PATH"),
                          help=f"a side: {_SIDE_HELP[kind]} (give two sides)")
    diff.add_argument("--storage-classes", metavar="FILE", type=Path,
                      help="the cluster's StorageClasses, as `kubectl get storageclass -o "
                           "json` prints them: a grown claim's line then says whether its "
                           "class lets it grow")
    diff.add_argument("--nodes", metavar="N|FILE", type=_node_count_or_inventory,
                      help="the nodes a DaemonSet's rollout crosses, for its waves and their "
                           "least time: a count, or `kubectl get nodes -o json` (or a list "
                           "of nodes, as coverage reads), whose nodes each DaemonSet selects")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                      help="markdown: a pull-request comment; json: for a pipeline "
                           "(default: text)")
    diff.add_argument("--comment-limit", metavar="CHARS", type=int,
                      help="markdown: cut the comment to at most CHARS characters, saying "
                           "what was left out (default 60,000; GitHub refuses more than "
                           "65,536, so a comment of two reports gives each half)")
    commands.add_parser(
        "schema", epilog=_exits("printed", None),
        help="print the JSON Schema of a stack file",
        description="Print the JSON Schema of stacks/Pulumi.<stack>.yaml, derived from the "
                    f"config models. The committed copy is {SCHEMA_FILE}.",
    )
    add_coverage_parser(commands)
    add_override_options(commands.choices["coverage"])
    commands.add_parser(
        "reference", epilog=_exits("printed", None),
        help="print the configuration reference (Markdown)",
        description="Print every stack-file key with its type, default and description, "
                    "derived from the config models. The committed copy is "
                    "docs/configuration.md.",
    )
    return parser


MOST_NODES = 1_000_000
"""Far past the 5,000 nodes Kubernetes supports: a typo, not a cluster."""


def _node_count_or_inventory(text: str) -> int | Path:
    """`--nodes 50`, or the path of a node inventory."""
    if not re.fullmatch(r"[0-9]+", text):
        return Path(text)
    if len(text) > len(str(MOST_NODES)) or int(text) > MOST_NODES:
        raise argparse.ArgumentTypeError(f"at most {MOST_NODES} nodes")
    if int(text) < 1:
        raise argparse.ArgumentTypeError("at least 1 node, or a node inventory")
    return int(text)


_SIDE_HELP = {
    "stack": "stack NAME, rendered (Pulumi.NAME.yaml, found as by --stack of render)",
    "config": "this stack file, rendered",
    "dir": "a folder written by render --out",
}


def add_override_options(parser: argparse.ArgumentParser, where: str = "") -> None:
    parser.add_argument("-f", "--values", metavar="FILE", type=Path, action="append",
                        default=[], help="an overlay shaped like a stack file, deep-merged "
                                         f"onto it{where}; repeatable, later wins, lists replace")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="one key after the overlays, e.g. redis.replicas=0, read as a "
                             f"YAML scalar{where}; repeatable")


MOST_EVENTS = 10**9
"""A billion events a second: past any cluster's logs, as redis.buffer.expectedRate says."""


def add_log_rate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-rate", metavar="EVENTS_PER_S", type=_log_rate,
                        help="the cluster's log rate, for how long the buffer outlasts its "
                             "reader being down (default: the stack's redis.buffer.expectedRate)")


def _log_rate(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 1 <= int(text) <= MOST_EVENTS:
        raise argparse.ArgumentTypeError(
            f"a whole number of events per second, 1 to {MOST_EVENTS:,}")
    return int(text)


def _exits(ok: str, one: str | None) -> str:
    """The exit codes, for a subcommand's --help (docs/cli.md has them all)."""
    codes = [f"0 {ok}", *([f"1 {one}"] if one else []), "2 bad input (one line per problem)",
             "3 a crash: a bug in redis-filebeat"]
    return "exit codes: " + "; ".join(codes) + "."
