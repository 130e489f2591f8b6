"""From toolchain/stand-ins/<name>/image.json to a packed, cached archive.

image.json's `config`, `files` and `dirs` are what tests/runtime lays over
the host root; its `root` says what else a whole root filesystem needs (host
files and Debian packages' programs, busybox applets, links, /etc files,
owners) and how to read the version the image is tagged with from the binary
itself, so a tag never claims a version the files do not have. Names are
local (`localhost/redis-filebeat/...`): a stand-in must never pass for
Elastic's or redis' image in a node's image store.
"""

import hashlib
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import archive
from .rootfs import Entry, MissingFile, Root

TOOLCHAIN = Path(__file__).resolve().parents[1]
STAND_INS = TOOLCHAIN / "stand-ins"
REGISTRY = "localhost/redis-filebeat"
FORMAT = 1
"""Raised when the packing changes in a way the inputs do not show."""


@dataclass(frozen=True)
class StandIn:
    name: str
    folder: Path
    spec: dict

    @property
    def extra(self) -> dict:
        return self.spec.get("root", {})

    def builds(self) -> set[str]:
        """The toolchain/build names its toolchain binaries come from."""
        return {source.get("build", source["tool"])
                for source in self.spec["files"].values() if "tool" in source}


@dataclass(frozen=True)
class Packed:
    name: str
    image: str
    archive: Path
    size: int
    seconds: float
    cached: bool


def cache_dir() -> Path:
    """toolchain/build's cache: REDIS_FILEBEAT_CACHE, or under XDG_CACHE_HOME."""
    cache = os.environ.get("REDIS_FILEBEAT_CACHE")
    if cache:
        return Path(cache)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "redis-filebeat"


def stand_ins(names: list[str] | None = None) -> list[StandIn]:
    known = sorted(p.parent.name for p in STAND_INS.glob("*/image.json"))
    for name in names or []:
        if name not in known:
            raise MissingFile(f"no stand-in {name} (known: {', '.join(known)})")
    return [StandIn(name, STAND_INS / name, json.loads((STAND_INS / name / "image.json")
                                                      .read_text()))
            for name in known if not names or name in names]


def build_tools(builds: set[str]) -> Path:
    """toolchain/build's folder, after building what is missing (its progress
    goes to our stderr)."""
    if not builds:
        return TOOLCHAIN
    run = subprocess.run([TOOLCHAIN / "build", *sorted(builds)], stdout=subprocess.PIPE,
                         text=True)
    if run.returncode != 0:
        raise MissingFile(f"toolchain/build {' '.join(sorted(builds))} failed")
    return Path(run.stdout.splitlines()[-1])


def source_of(stand_in: StandIn, source: dict, tools: Path) -> Path:
    if "tool" in source:
        return tools / source["tool"]
    if "here" in source:
        return stand_in.folder / source["here"]
    return Path(source["host"])


def gather(stand_in: StandIn, tools: Path) -> Root:
    """The stand-in's whole root filesystem, in a fixed order (so the same
    host gives the same tree)."""
    spec, extra, root = stand_in.spec, stand_in.extra, Root()
    for path, source in sorted(spec["files"].items()):
        root.add_file(path, source_of(stand_in, source, tools))
    for path in extra.get("host", []):
        root.add_host(path)
    for package in extra.get("packages", []):
        root.add_package_programs(package)
    root.add_libraries()
    if "busybox" in extra:
        root.add_busybox_applets(extra["busybox"])
    for path, target in sorted(extra.get("links", {}).items()):
        root.put(path, Entry("symlink", 0o777, target=target))
    for path, text in sorted(extra.get("text", {}).items()):
        root.put(path, Entry("file", 0o644, data=text.encode()))
    for path, mode in sorted({**spec["dirs"], **extra.get("dirs", {})}.items()):
        root.put(path, Entry("dir", int(mode, 8)))
    root.mkdirs(spec["config"]["WorkingDir"])
    for path, owner in sorted(extra.get("owners", {}).items()):
        uid, gid = owner.split(":")
        root.chown(path, int(uid), int(gid))
    return root


def tag(stand_in: StandIn, root: Root) -> str:
    """The version the image's own binary reports, as its tag. It runs under
    its image name: redis' binary is one file that acts by argv[0]."""
    how = stand_in.extra["tag"]
    program = root.entries[root.resolve(how["run"][0], follow=True)].source
    run = subprocess.run([Path(how["run"][0]).name, *how["run"][1:]], executable=program,
                         capture_output=True, text=True)
    found = re.search(how["match"], run.stdout + run.stderr)
    if found is None:
        raise MissingFile(f"{stand_in.name}: `{' '.join(how['run'])}` said no version "
                          f"({how['match']}): {(run.stdout + run.stderr).strip()[:200]}")
    return str(how["as"]).format(*found.groups())


def content_key(name: str, config: dict, root: Root) -> str:
    """What decides the archive's bytes: the name, the config, and every
    entry with its content (read whole: a changed library is a new image)."""
    sha = hashlib.sha256(archive.canonical([FORMAT, name, config, archive.architecture()]))
    for path in sorted(root.entries):
        entry = root.entries[path]
        sha.update(archive.canonical([path, entry.kind, entry.mode, entry.uid, entry.gid,
                                      entry.target]))
        if entry.data is not None:
            sha.update(hashlib.sha256(entry.data).digest())
        elif entry.source is not None:
            with open(entry.source, "rb") as file:
                sha.update(hashlib.file_digest(file, "sha256").digest())
    return sha.hexdigest()[:16]


def description(name: str) -> str:
    return (f"A stand-in for {name}'s image, packed by toolchain/images from one "
            "machine's files; toolchain/README.md lists how it differs.")


def pack(stand_in: StandIn, tools: Path, cache: Path) -> Packed:
    """The stand-in's archive in the cache, built unless the same content is
    there already; older archives of the same stand-in are removed."""
    start = time.monotonic()
    root = gather(stand_in, tools)
    image = f"{REGISTRY}/{stand_in.name}:{tag(stand_in, root)}"
    config = stand_in.spec["config"]
    folder = cache / "images"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{stand_in.name}-{content_key(image, config, root)}.tar"
    cached = dest.exists()
    if not cached:
        archive.pack(root, config, image, description(stand_in.name), dest)
        for old in folder.glob(f"{stand_in.name}-*.tar"):
            if old != dest and re.fullmatch(rf"{re.escape(stand_in.name)}-[0-9a-f]{{16}}\.tar",
                                            old.name):
                old.unlink()
    return Packed(stand_in.name, image, dest, dest.stat().st_size,
                  time.monotonic() - start, cached)
