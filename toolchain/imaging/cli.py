"""toolchain/images: pack the stand-ins, import them if asked, name them.

stdout is only `NAME=IMAGE` lines, one per stand-in, so a caller can read
them (`eval`, or a stack file's image fields); progress goes to stderr.
Importing needs the containerd socket spelled out: there is no default, so
a run can never load stand-ins into a machine's own containerd by accident.
"""

import argparse
import subprocess
import sys
import time

from .rootfs import MissingFile
from .stand_ins import build_tools, cache_dir, pack, stand_ins


def log(message: str) -> None:
    print(f"toolchain/images: {message}", file=sys.stderr, flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="toolchain/images",
        description="Pack the stand-in images (toolchain/stand-ins/) as OCI archives in the "
                    "cache and print NAME=IMAGE for each; with --import, load them into a "
                    "containerd.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these stand-ins (default: all)")
    parser.add_argument("--import", dest="import_", action="store_true",
                        help="import each archive with `ctr images import`")
    parser.add_argument("--address", metavar="SOCKET",
                        help="the containerd socket to import into (required with --import)")
    parser.add_argument("--namespace", default="k8s.io",
                        help="containerd namespace (default: k8s.io, the one the CRI reads)")
    parser.add_argument("--archives", action="store_true",
                        help="print NAME=ARCHIVE (the cached archive's path) instead")
    args = parser.parse_args(argv)
    if args.import_ and not args.address:
        parser.error("--import needs --address SOCKET: no default containerd is assumed")
    return args


def import_archive(address: str, namespace: str, path: str) -> None:
    run = subprocess.run(["ctr", "--address", address, "-n", namespace, "images", "import",
                          path], capture_output=True, text=True)
    for line in (run.stdout + run.stderr).splitlines():
        log(f"  ctr: {line}")
    if run.returncode != 0:
        raise MissingFile(f"ctr images import {path} failed (exit {run.returncode})")


def main(argv: list[str]) -> int:
    args = parse(argv)
    try:
        wanted = stand_ins(args.names)
        tools = build_tools(set().union(*(s.builds() for s in wanted)))
        cache = cache_dir()
        lines = []
        for stand_in in wanted:
            packed = pack(stand_in, tools, cache)
            how = "found in the cache" if packed.cached else "packed"
            log(f"{packed.name}: {packed.image} {how}, {packed.size / 1e6:.1f} MB, "
                f"{packed.seconds:.1f} s ({packed.archive})")
            if args.import_:
                start = time.monotonic()
                import_archive(args.address, args.namespace, str(packed.archive))
                log(f"{packed.name}: imported in {time.monotonic() - start:.1f} s")
            lines.append(f"{packed.name}={packed.archive if args.archives else packed.image}")
    except MissingFile as missing:
        log(str(missing))
        return 1
    print("\n".join(lines))
    return 0
