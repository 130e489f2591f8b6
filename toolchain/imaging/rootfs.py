"""An image's root filesystem, as a table of entries gathered from the host.

The real node's containers cannot lean on the host root as tests/runtime's
do, so each program comes with what it needs to start: its shared libraries
and the dynamic loader (as ldd resolves them), and every symlink on the way
to them (Debian's /lib -> usr/lib), so that a path the loader or a script
names works inside the image as it does on the host. Nothing is copied here:
an entry points at its host file, and the packer reads it once.
"""

import os
import stat
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class MissingFile(Exception):
    """Something an image needs is not on this machine."""


@dataclass(frozen=True)
class Entry:
    kind: str
    """"dir", "file" or "symlink"."""
    mode: int = 0o755
    uid: int = 0
    gid: int = 0
    source: Path | None = None
    """A file's bytes: this host file..."""
    data: bytes | None = None
    """...or these."""
    target: str = ""
    """A symlink's target, as written."""


def parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def walk(path: str, link: Callable[[str, bool], str | None], *,
         followed: Callable[[str, str], None] | None = None, loop: str = "") -> str:
    """Where `path` leads, walked a component at a time as the kernel walks a
    path, in the image or on the host: `..` drops the component before it, and
    a symlink gives way to its target's components, from the top when the
    target is absolute. `link(here, last)` says, for the path so far (no
    leading slash) and whether it is the last component, the target to follow
    there, or None; `followed(here, target)` is told of each link followed.
    More than 40 links is a loop, as for the kernel; `loop` ends its message."""
    todo = deque(parts(path))
    done: list[str] = []
    hops = 0
    while todo:
        name = todo.popleft()
        if name == "..":
            del done[-1:]
            continue
        here = "/".join([*done, name])
        target = link(here, not todo)
        if target is not None:
            hops += 1
            if hops > 40:
                raise MissingFile(f"symlink loop at /{here}{loop}")
            if followed is not None:
                followed(here, target)
            if target.startswith("/"):
                done = []
            todo.extendleft(reversed(parts(target)))
            continue
        done.append(name)
    return "/".join(done)


class Root:
    """Image paths (relative, no leading slash) -> entries. Paths are resolved
    through the image's own symlinks, so `/bin/sh` lands in `usr/bin` once
    `bin` is a link there, and a tar never holds a file under a symlink."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def resolve(self, path: str, follow: bool = False) -> str:
        """The image path `path` names; its last component followed too if
        `follow`, as opening it would."""
        def link(here: str, last: bool) -> str | None:
            entry = self.entries.get(here)
            if (last and not follow) or entry is None or entry.kind != "symlink":
                return None
            return entry.target

        return walk(path, link, loop=" in the image")

    def put(self, path: str, entry: Entry) -> str:
        """Adds an entry (and its missing parents, 0755 root); returns where."""
        where = self.resolve(path)
        self.mkdirs(where.rpartition("/")[0])
        old = self.entries.get(where)
        if old is not None and old != entry:
            if old.kind == entry.kind == "dir":
                entry = Entry("dir", entry.mode, old.uid, old.gid)
            else:
                raise MissingFile(f"/{where} is wanted twice, as {old} and as {entry}")
        self.entries[where] = entry
        return where

    def mkdirs(self, path: str) -> None:
        done: list[str] = []
        for name in parts(path):
            here = self.resolve("/".join([*done, name]), follow=True)
            entry = self.entries.get(here)
            if entry is None:
                self.entries[here] = Entry("dir")
            elif entry.kind != "dir":
                raise MissingFile(f"/{here} is a file in the image, not a folder")
            done = parts(here)

    def chown(self, path: str, uid: int, gid: int) -> None:
        where = self.resolve(path)
        entry = self.entries[where]
        self.entries[where] = Entry(entry.kind, entry.mode, uid, gid, entry.source,
                                    entry.data, entry.target)

    def add_file(self, path: str, source: Path) -> None:
        """A host file's bytes and mode at another image path."""
        real = source.resolve()
        if not real.is_file():
            raise MissingFile(f"{source} is missing")
        self.put(path, Entry("file", stat.S_IMODE(real.stat().st_mode), source=real))

    def add_host(self, path: str) -> None:
        """A host file at its own path, with each symlink on the way to it."""
        def link(here: str, last: bool) -> str | None:
            host = "/" + here
            if os.path.islink(host):
                return os.readlink(host)
            if not os.path.lexists(host):
                raise MissingFile(f"{path} is missing ({host})")
            if last:  # the file itself, every link on the way to it followed
                mode = os.stat(host).st_mode
                if stat.S_ISDIR(mode):
                    self.put(host, Entry("dir", stat.S_IMODE(mode)))
                else:
                    self.put(host, Entry("file", stat.S_IMODE(mode), source=Path(host)))
            return None

        def followed(here: str, target: str) -> None:
            host = "/" + here
            old = self.entries.get(self.resolve(host))
            # A folder the image already has as a real one stays one.
            if old is None or old.kind == "symlink":
                self.put(host, Entry("symlink", 0o777, target=target))

        walk(path, link, followed=followed)

    def add_package_programs(self, package: str) -> None:
        """Every program a Debian package installs (dpkg -L), as it lies."""
        listed = host_run("dpkg", "-L", package)
        if listed.returncode != 0:
            raise MissingFile(f"Debian package {package} is not installed")
        for line in sorted(listed.stdout.splitlines()):
            if (line.startswith(("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/"))
                    and os.path.lexists(line) and not os.path.isdir(line)):
                self.add_host(line)

    def add_libraries(self) -> None:
        """The loader and shared libraries every ELF file so far asks for."""
        elves = sorted(str(e.source) for e in self.entries.values()
                       if e.kind == "file" and e.source is not None and is_elf(e.source))
        for library in needed_libraries(elves):
            self.add_host(library)

    def add_busybox_applets(self, busybox: str) -> None:
        """A link to busybox for each applet, where `busybox --list-full` puts
        it (as Alpine installs it), unless the image has that path already."""
        where = "/" + self.resolve(busybox)
        listed = host_run(busybox, "--list-full")
        if listed.returncode != 0:
            raise MissingFile(f"{busybox} --list-full failed: {listed.stderr.strip()}")
        for applet in sorted(listed.stdout.split()):
            if self.resolve(applet) not in self.entries:
                self.put(applet, Entry("symlink", 0o777, target=where))


def host_run(*command: str) -> subprocess.CompletedProcess[str]:
    """A host tool's answer; a missing tool is a missing file, reported as such
    (the stand-ins are made of a Debian host's packages)."""
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "LC_ALL": "C"})
    except FileNotFoundError as missing:
        raise MissingFile(f"{command[0]} is not on this machine") from missing


def is_elf(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(4) == b"\x7fELF"


def needed_libraries(programs: list[str]) -> list[str]:
    """The paths ldd resolves for these programs' libraries, the loader among
    them (static programs need none)."""
    if not programs:
        return []
    run = host_run("ldd", *programs)
    found: set[str] = set()
    program = programs[0]
    for line in run.stdout.splitlines():
        if not line.startswith("\t"):
            program = line.rstrip(":")
            continue
        words = line.split()
        if "not found" in line:
            raise MissingFile(f"{program} needs {words[0]}, which ldd cannot find")
        if "=>" in words and words[words.index("=>") + 1].startswith("/"):
            found.add(words[words.index("=>") + 1])
        elif words[0].startswith("/"):
            found.add(words[0])
    return sorted(found)
