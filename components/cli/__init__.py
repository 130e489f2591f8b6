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
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from ..render.folder import FolderError, stale_files, write_folder
from ..render.manifests import Manifest, Manifests
from .inputs import (
    is_refusal,
    load_side,
    overrides_of,
    read_nodes,
    read_storage_classes,
    render_file,
    stack_path,
)
from .parser import DEBUG_ENV, _parser, prog

if TYPE_CHECKING:
    from ..config.files.overrides import Overrides
    from ..render.renderer import Rendered

EXIT_OK, EXIT_STALE, EXIT_INVALID, EXIT_CRASH = 0, 1, 2, 3
EXIT_CHANGED = 1
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141  # 128 + SIGINT, 128 + SIGPIPE, as shells say


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
        from ..config.stack.schema import schema_text  # only this command reads the docstrings

        sys.stdout.write(schema_text())
        return EXIT_OK
    if args.command == "reference":
        from ..config.stack.reference import reference_text

        sys.stdout.write(reference_text())
        return EXIT_OK
    if args.command == "coverage":
        return _coverage(args)
    if args.command == "diff":
        sides = getattr(args, "sides", None) or []
        if len(sides) != 2:
            args.subparser.error(f"diff needs two sides, old then new, each --stack, --config "
                                 f"or --dir; got {len(sides)}")
        if sides.count(("config", "-")) > 1:
            args.subparser.error("only one side can be --config - (standard input)")
        if args.comment_limit is not None and args.comment_limit < 1000:
            args.subparser.error("--comment-limit must be at least 1000 characters")
        return _diff(sides, args.format, args.comment_limit, overrides_of(args),
                     _colour(args.color), args.storage_classes, args.nodes, args.log_rate)
    if (args.show_only or args.output != "yaml") and (args.out or args.check):
        args.subparser.error("--show-only and -o choose what is printed; --out and --check "
                             "work on the whole folder")
    try:
        rendered = render_file(args.config or stack_path(args.stack), overrides_of(args))
    except Exception as error:
        if not is_refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID
    for note in rendered.notes:
        print(f"note: {note}", file=sys.stderr)
    manifests = rendered.manifests
    if args.show_only:
        missing = [name for name in args.show_only
                   if not any(_is_object(m, name) for m in manifests.objects)]
        if missing:
            for name in missing:
                print(f"--show-only {name}: no such object; the stack renders "
                      f"{', '.join(f'{m.kind}/{m.name}' for m in manifests.objects)}",
                      file=sys.stderr)
            return EXIT_INVALID
        manifests = Manifests(m for m in manifests.objects
                              if any(_is_object(m, name) for name in args.show_only))
    if args.check:
        stale = stale_files(rendered.manifests, args.check)
        for line in stale:
            print(line)
        if stale:
            print(f"{args.check} is stale: run `{prog()} render "
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
    elif args.output == "json":
        # As `kubectl get -o json` prints several objects: one List.
        sys.stdout.write(json.dumps({"apiVersion": "v1", "kind": "List",
                                     "items": manifests.documents()}, indent=2) + "\n")
    else:
        sys.stdout.write(manifests.to_yaml())
    _say_capacity(rendered, args.log_rate)
    return EXIT_OK


def _say_capacity(rendered: "Rendered", log_rate: int | None) -> None:
    """After the output, on stderr: what the buffer holds, and for how long."""
    from ..review.capacity import capacities

    for name, capacity in capacities(rendered.manifests.objects).items():
        print(f"capacity: {capacity.line(name, log_rate or rendered.log_rate)}",
              file=sys.stderr)


def _colour(choice: str) -> bool:
    """`--color`: auto colours a terminal, unless NO_COLOR (https://no-color.org) is set."""
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _diff(sides: list[tuple[str, str]], format: str, limit: int | None,
          overrides: "Overrides | None" = None, colour: bool = False,
          storage_classes: Path | None = None, given_nodes: int | Path | None = None,
          log_rate: int | None = None) -> int:
    try:
        storage = read_storage_classes(storage_classes) if storage_classes else None
        nodes = read_nodes(given_nodes) if given_nodes is not None else None
        old, new = (load_side(kind, value, overrides) for kind, value in sides)
    except Exception as error:
        if not is_refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID
    for note in (*old.notes, *new.notes):
        print(f"note: {note}", file=sys.stderr)
    # Imported here: `render`, the default job, does not pay for them.
    from ..review.pairing import compare
    from ..review.report import COMMENT_LIMIT, as_markdown, as_text, coloured

    diffs = compare(old.manifests, new.manifests, storage, nodes,
                    log_rate or new.log_rate or old.log_rate)
    if format == "json":
        from ..review.json_report import as_json

        sys.stdout.write(as_json(diffs, old.label, new.label, nodes.given if nodes else None))
    elif format == "markdown":
        sys.stdout.write(as_markdown(diffs, old.label, new.label, limit or COMMENT_LIMIT))
    else:
        text = as_text(diffs, old.label, new.label)
        sys.stdout.write(coloured(text) if colour else text)
    return EXIT_CHANGED if diffs else EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    from ..coverage import command
    from ..coverage.inventory import InventoryError

    try:
        side = load_side(*command.source_of(args), overrides_of(args))
        return command.run(args, side.manifests, side.label)
    except InventoryError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:
        if not is_refusal(error):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID


def _is_object(manifest: Manifest, name: str) -> bool:
    """`KIND/NAME`, as kubectl names an object; the kind in any case."""
    kind, _, object_name = name.partition("/")
    return manifest.kind.lower() == kind.lower() and manifest.name == object_name


def _source(args: argparse.Namespace) -> str:
    return f"--stack {args.stack}" if args.stack else f"--config {args.config}"
