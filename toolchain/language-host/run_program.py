"""Runs one Pulumi Python program for langhost.py's `Run`.

Started as `python run_program.py --monitor ADDR --engine ADDR --project P
--stack S --parallel N --dry-run true|false --pwd DIR --root-directory DIR
[--organization O] PROGRAM [-- ARGS...]`, with the stack's config in
$PULUMI_CONFIG (a JSON object) and the secret keys in
$PULUMI_CONFIG_SECRET_KEYS (a JSON list), which is where `pulumi.runtime`
looks for them.

Exit status: 0 when the program ran; BAIL_EXIT_CODE after it failed and the
failure was reported to the engine as an error diagnostic (a `pulumi.RunError`
as its message alone, anything else with the program's part of the
traceback); another status only if this runner itself broke.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import runpy
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor

BAIL_EXIT_CODE = 32


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_program.py")
    parser.add_argument("--monitor", required=True)
    parser.add_argument("--engine", default="")
    parser.add_argument("--project", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--parallel", type=int, default=0)
    parser.add_argument("--dry-run", choices=("true", "false"), default="false")
    parser.add_argument("--pwd", default="")
    parser.add_argument("--root-directory", default="")
    parser.add_argument("--organization", default=None)
    parser.add_argument("program")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    if ns.args[:1] == ["--"]:
        ns.args = ns.args[1:]
    return ns


def _main_path(program: str) -> str:
    """`.` or a directory means its __main__.py; a file is itself."""
    path = os.path.abspath(program)
    return os.path.join(path, "__main__.py") if os.path.isdir(path) else path


def _program_traceback(main_path: str, error: BaseException) -> str:
    """The traceback from the program's first frame on, without ours."""
    frames = traceback.extract_tb(error.__traceback__)
    for index, frame in enumerate(frames):
        if os.path.abspath(frame.filename) == main_path:
            return "".join(traceback.format_exception(
                type(error), error, error.__traceback__, limit=-(len(frames) - index)))
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def main(argv: list[str]) -> int:
    args = _parse(argv)
    try:
        import pulumi
        import pulumi.runtime
    except ImportError as error:
        print(f"{error}: install the pulumi SDK into {sys.executable}'s environment "
              "(pip install -r requirements.txt)", file=sys.stderr)
        return 1

    if args.pwd:
        os.chdir(args.pwd)
    main_path = _main_path(args.program)
    program_dir = os.path.dirname(main_path)
    # As `python __main__.py` would: the program's directory comes first.
    sys.path.insert(0, program_dir)
    sys.argv = [main_path, *args.args]

    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(),
                                  pulumi.runtime.get_config_secret_keys_env())
    settings = pulumi.runtime.Settings(
        project=args.project,
        stack=args.stack,
        monitor=args.monitor,
        engine=args.engine or None,
        parallel=args.parallel,
        dry_run=args.dry_run == "true",
        organization=args.organization,
        root_directory=args.root_directory or None,
    )
    pulumi.runtime.configure(settings)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=max(args.parallel, 1) * 4)
    loop.set_default_executor(executor)
    # Unobserved futures are normal when a program fails part-way; asyncio's
    # complaints about them would only hide the real error.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    if not os.path.isfile(main_path):
        pulumi.log.error(f"no Python program at {main_path}")
        return BAIL_EXIT_CODE

    def run() -> None:
        runpy.run_path(main_path, run_name="__main__")

    code = BAIL_EXIT_CODE
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(run))
        code = 0
    except pulumi.RunError as error:
        pulumi.log.error(str(error))
    except Exception as error:  # noqa: BLE001 - report whatever the program raised
        pulumi.log.error("Program failed with an unhandled exception:\n"
                         + _program_traceback(main_path, error))
    finally:
        executor.shutdown(wait=True)
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
