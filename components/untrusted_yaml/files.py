"""Reading a file a pull request may have put there: a regular file only,
inside its folder when there is one, and never more than the size limit.

Checked with `os.stat` before the file is opened, because opening is already
an effect: a FIFO blocks the open until something writes to it, and a device
can do anything. The open itself is non-blocking and the opened file is
checked again (`fstat`), so a file swapped for a FIFO in between is refused
rather than waited on. At most `max_bytes + 1` bytes are read, so a huge
file costs no more than the reader's own refusal of it.

`within` confines the read the way kustomize's default load restrictor does:
the path, with every symlink resolved, must be inside the folder; a symlink
to a file inside is fine. Every refusal is one line, `<origin>: <why>`.
"""

import os
import stat
from pathlib import Path

from .limits import DEFAULT_LIMITS, Limits
from .problems import printable

_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)",
          stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFLNK: "a symlink"}


class UnreadableFileError(Exception):
    """A file refused or unreadable: one printable line, `<origin>: <why>`."""

    def __init__(self, origin: str, why: str) -> None:
        super().__init__(printable(f"{origin}: {why}"))


def read_file(path: Path, origin: str | None = None, *, within: Path | None = None,
              limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of `path` (at most `limits.max_bytes + 1` of them, so the
    YAML reader can name where the limit is crossed). Raises
    `UnreadableFileError` for anything but a regular file, for a file outside
    `within`, and for one that cannot be read."""
    origin = str(path) if origin is None else origin
    try:
        if within is not None:
            path = _inside(path, within, origin)
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise UnreadableFileError(origin, f"is {kind}, not a regular file; refused "
                                      "unopened")
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if within is not None:
            flags |= getattr(os, "O_NOFOLLOW", 0)  # resolved above: no link is left
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as file:
            kind = _kind(os.fstat(descriptor).st_mode)
            if kind:
                raise UnreadableFileError(origin, f"is {kind}, not a regular file")
            return file.read(limits.max_bytes + 1)
    except OSError as error:
        raise UnreadableFileError(origin, f"cannot read: {error.strerror}") from None
    except ValueError:  # os.stat of a name with a NUL byte in it
        raise UnreadableFileError(origin, "cannot read: not a file name") from None


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _inside(path: Path, folder: Path, origin: str) -> Path:
    """`path` with its symlinks resolved, if that is inside `folder`."""
    try:
        root = folder.resolve(strict=True)
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop so
        raise UnreadableFileError(origin, "cannot read: a symlink loop") from None
    if not real.is_relative_to(root):
        raise UnreadableFileError(origin, f"leads out of {folder} (a symlink, or `..`); "
                                  "only files inside the folder are read, as kustomize "
                                  "reads them")
    return real
