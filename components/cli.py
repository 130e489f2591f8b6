"""`python -m components`: the offline renderer, the project's default job.

Exit codes: 0 rendered (or, with --check, the folder is up to date; with
diff, no change; with coverage, every node runs one DaemonSet), 1 the folder
given to --check is stale (with diff: there are changes; with coverage: a
node runs none or two), 2 the input cannot be rendered (bad config, an unreadable
stack file or folder, objects that would collide); the reason goes to
stderr, one line per problem. 3 is a crash: any exception that escapes a
command is a bug, never a verdict on the input, so it must not look like
1 ("changes") or 2; `main` turns it into one line on stderr, and --debug
(or REDIS_FILEBEAT_DEBUG=1) adds the traceback. 130: interrupted (Ctrl-C);
141: stdout was closed before the output was written (`| head`).
"""

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .coverage.command import add_parser as add_coverage_parser
from .project import SCHEMA_FILE
from .render.folder import FolderError, stale_files, write_folder
from .review.sides import SIDE_KINDS, Side, SideError, read_folder

if TYPE_CHECKING:
    from .render.renderer import Rendered

EXIT_OK, EXIT_STALE, EXIT_INVALID, EXIT_CRASH = 0, 1, 2, 3
EXIT_CHANGED = 1
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141  # 128 + SIGINT, 128 + SIGPIPE, as shells say
DEBUG_ENV = "REDIS_FILEBEAT_DEBUG"


class _Side(argparse.Action):
    """Collects --stack/--config/--dir in the order given: the first is OLD."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        sides = getattr(namespace, "sides", None) or []
        namespace.sides = [*sides, (self.dest, values)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m components",
        description="Render the redis-filebeat stack to Kubernetes manifests, offline.",
    )
    parser.add_argument("--debug", action="store_true",
                        help=f"on a crash (exit 3), print the traceback too (or set {DEBUG_ENV}=1)")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser(
        "render", help="print a stack's manifests as one YAML stream",
        description="Run the Pulumi program under mocks with a stack's config and "
                    "print the manifests it would deploy. Needs no Pulumi CLI and no cluster.",
    )
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", metavar="NAME", help="render stacks/Pulumi.NAME.yaml")
    source.add_argument("--config", metavar="PATH", type=Path, help="render this stack file")
    target = render.add_mutually_exclusive_group()
    target.add_argument("--out", metavar="DIR", type=Path,
                        help="write one file per object and a kustomization.yaml to DIR "
                             "instead of printing")
    target.add_argument("--check", metavar="DIR", type=Path,
                        help="write nothing; exit 1 and list the files of DIR that --out "
                             "would change")
    diff = commands.add_parser(
        "diff", help="compare two stacks or rendered folders, and say what the change does",
        description="Compare OLD with NEW, each a --stack, --config or --dir (a folder "
                    "written by render --out), old first: `diff --dir base/dev --stack dev`. "
                    "Prints what changes in each object, field by field, and what that will "
                    "do to running pods. Exit 0: no change; 1: changes; 2: an error.",
    )
    for kind in SIDE_KINDS:
        diff.add_argument(f"--{kind}", dest=kind, action=_Side, metavar="NAME" if kind ==
                          "stack" else kind.upper().replace("CONFIG", "PATH"),
                          help=f"a side: {_SIDE_HELP[kind]} (give two sides)")
    diff.add_argument("--format", choices=("text", "markdown"), default="text",
                      help="markdown: a pull-request comment (default: text)")
    diff.add_argument("--comment-limit", metavar="CHARS", type=int,
                      help="markdown: cut the comment to about CHARS characters, saying "
                           "what was left out (default 60,000; GitHub refuses more than "
                           "65,536, so a comment of two reports gives each half)")
    commands.add_parser(
        "schema", help="print the JSON Schema of a stack file",
        description="Print the JSON Schema of stacks/Pulumi.<stack>.yaml, derived from the "
                    f"config models. The committed copy is {SCHEMA_FILE}.",
    )
    add_coverage_parser(commands)
    commands.add_parser(
        "reference", help="print the configuration reference (Markdown)",
        description="Print every stack-file key with its type, default and description, "
                    "derived from the config models. The committed copy is "
                    "docs/configuration.md.",
    )
    return parser


_SIDE_HELP = {
    "stack": "stacks/Pulumi.NAME.yaml, rendered",
    "config": "this stack file, rendered",
    "dir": "a folder written by render --out",
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; every way out of it is one of the documented exit codes."""
    args = sys.argv[1:] if argv is None else argv
    # Known before parsing, so a crash while parsing honours it too.
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0") or "--debug" in args
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): no crash, and nothing more to say to it.
        # Python would flush stdout again at exit and complain; point it at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:  # the last line of defence: see the module docstring
        if debug:
            traceback.print_exc()
        print(crash_line(error), file=sys.stderr)
        return EXIT_CRASH


def crash_line(error: BaseException) -> str:
    """The one line a crash prints: what, and that it is ours to fix."""
    first = next(iter(str(error).splitlines()), "")
    what = type(error).__name__ + (f": {first}" if first else "")
    what = "".join(c if c.isprintable() else "?" for c in what)[:200]
    return (f"internal error: {what}; this is a bug in redis-filebeat, not a problem "
            f"with the input: rerun with --debug (or {DEBUG_ENV}=1) and report the "
            "traceback")


def _main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        from .config.schema import schema_text  # only this command reads the docstrings

        sys.stdout.write(schema_text())
        return EXIT_OK
    if args.command == "reference":
        from .config.reference import reference_text

        sys.stdout.write(reference_text())
        return EXIT_OK
    if args.command == "coverage":
        return _coverage(args)
    if args.command == "diff":
        sides = getattr(args, "sides", None) or []
        if len(sides) != 2:
            parser.error(f"diff needs two sides, old then new, each --stack, --config or "
                         f"--dir; got {len(sides)}")
        if args.comment_limit is not None and args.comment_limit < 1000:
            parser.error("--comment-limit must be at least 1000 characters")
        return _diff(sides, args.format, args.comment_limit)
    try:
        rendered = _render(args.config or _stack_file(args.stack))
    except Exception as error:
        if not _refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID
    for note in rendered.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.check:
        stale = stale_files(rendered.manifests, args.check)
        for line in stale:
            print(line)
        if stale:
            print(f"{args.check} is stale: run `python -m components render "
                  f"{_source(args)} --out {args.check}` and commit the result", file=sys.stderr)
            return EXIT_STALE
        return EXIT_OK
    if args.out:
        try:
            written = write_folder(rendered.manifests, args.out)
        except FolderError as error:
            print(error, file=sys.stderr)
            return EXIT_INVALID
        except OSError as error:
            print(f"{args.out}: cannot write the folder: {error.strerror}", file=sys.stderr)
            return EXIT_INVALID
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(rendered.manifests.to_yaml())
    return EXIT_OK


def _diff(sides: list[tuple[str, str]], format: str, limit: int | None) -> int:
    try:
        old, new = (load_side(kind, value) for kind, value in sides)
    except Exception as error:
        if not _refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID
    for note in (*old.notes, *new.notes):
        print(f"note: {note}", file=sys.stderr)
    # Imported here: `render`, the default job, does not pay for them.
    from .review.pairing import compare
    from .review.report import COMMENT_LIMIT, as_markdown, as_text

    diffs = compare(old.manifests, new.manifests)
    if format == "markdown":
        sys.stdout.write(as_markdown(diffs, old.label, new.label, limit or COMMENT_LIMIT))
    else:
        sys.stdout.write(as_text(diffs, old.label, new.label))
    return EXIT_CHANGED if diffs else EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    from .coverage import command
    from .coverage.inventory import InventoryError

    try:
        side = load_side(*command.source_of(args))
        return command.run(args, side.manifests, side.label)
    except InventoryError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:
        if not _refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID


def load_side(kind: str, value: str) -> Side:
    """Render a stack, or read a rendered folder.

    Raises SideError for a folder that cannot be read, and the renderer's own
    ConfigError, StackFileError and RenderError for a stack that cannot be rendered.
    """
    label = f"--{kind} {value}"
    if kind == "dir":
        return Side(label, read_folder(Path(value)))
    rendered = _render(_stack_file(value) if kind == "stack" else Path(value))
    return Side(label, rendered.manifests.objects, rendered.notes)


# Pulumi and pydantic are imported only once a command needs them, and the
# stack file is read before either: most hostile input is refused there, in
# a fraction of the ~0.5 s (3 s on a loaded machine) that importing Pulumi
# takes, and `diff --dir A --dir B` never imports them at all.

def _render(path: Path) -> "Rendered":
    from .config.stack_file import read_stack_file

    raw = read_stack_file(path)
    from .render.renderer import render_stack_file

    return render_stack_file(path, raw)


def _stack_file(stack: str) -> Path:
    from .render.renderer import find_stack_file

    return find_stack_file(stack)


def _refusal(error: Exception) -> bool:
    """Whether `error` refuses the input (exit 2) rather than being a crash.
    Whatever raised a config or render error has imported its module already."""
    if isinstance(error, SideError):
        return True
    from .config.errors import ConfigError
    from .config.stack_file import StackFileError
    from .render.capture import RenderError

    return isinstance(error, (ConfigError, StackFileError, RenderError))


def _source(args: argparse.Namespace) -> str:
    return f"--stack {args.stack}" if args.stack else f"--config {args.config}"
