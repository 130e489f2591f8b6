"""pulumi_kubernetes, compiled for the CLI as if each of its modules began with
`from __future__ import annotations` (PEP 563).

Importing the five API groups a render builds objects from took about 200 ms
of a ~460 ms render of dev, and more than half of that went on annotations:
the `pulumi.Input[Optional['...Args']]` of every parameter, setter and
TypedDict field of some 1,700 generated classes, each built at import through
typing's memo, which these modules outgrow. Nothing reads them then. The SDK
reads the annotations of the classes a program uses, when it first uses them,
with `typing.get_type_hints`, which turns a string into the same object. Left
as strings, the same imports take half as long, and the renders and the types
the SDK resolves are the same (tests/cli/test_lazy_annotations.py).

One thing differs: a `*ArgsDict` TypedDict whose fields are strings cannot
tell a `NotRequired` key from a required one, so its `__required_keys__`
lists them all. Neither the SDK nor this project reads that.

The code is kept as Python keeps its own bytecode: a pyc beside the module's,
tagged `opt-pep563` as `-O` tags `opt-1`, checked against the source's mtime
and size as Python checks a timestamp pyc; PYTHONPYCACHEPREFIX moves it as it
moves Python's. `pip uninstall` leaves these pycs behind, as it leaves the
`opt-1` ones of `python -O`. Where Python would write no bytecode
(`sys.dont_write_bytecode`, a folder it cannot write), a module without a
valid one is imported as usual: compiling 5 MB of source on every run would
cost more than it saves. Only
`python -m components` does this (cli.inputs.imports_kept_to_exit), while it
imports the renderer: a library caller's imports are its own, and `pulumi up`
runs the program as it is written.
"""

import __future__

import contextlib
import importlib.machinery
import importlib.util
import marshal
import os
import struct
import sys
from collections.abc import Iterator
from types import CodeType

from .finders import FinderAfter

PACKAGES = ("pulumi_kubernetes",)
TAG = "pep563" if not sys.flags.optimize else f"pep563o{sys.flags.optimize}"
_FLAGS = __future__.annotations.compiler_flag


def pyc_header(source: str) -> bytes:
    """A timestamp pyc's header (PEP 552): the magic number, no flags, and the
    source's mtime and size, each as Python stores them."""
    st = os.stat(source)
    return importlib.util.MAGIC_NUMBER + struct.pack(
        "<III", 0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)


def _read(cached: str, header: bytes) -> CodeType | None:
    try:
        with open(cached, "rb") as file:
            data = file.read()
    except OSError:
        return None
    if data[:len(header)] != header:
        return None
    try:
        code = marshal.loads(memoryview(data)[len(header):])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _may_write(cached: str) -> bool:
    if sys.dont_write_bytecode:
        return False
    folder = os.path.dirname(cached)
    while not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    return os.access(folder, os.W_OK)


def _write(cached: str, data: bytes) -> None:
    """All or nothing, as Python writes a pyc; a failure costs only the cache."""
    partial = f"{cached}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        with open(partial, "wb") as file:
            file.write(data)
        os.replace(partial, cached)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)


class _Loader(importlib.machinery.SourceFileLoader):
    """A source module's code with its annotations left as strings: read from
    its pyc when that is current, else compiled and written there."""

    def __init__(self, fullname: str, path: str, cached: str, header: bytes,
                 code: CodeType | None) -> None:
        super().__init__(fullname, path)
        self._cached, self._header, self._code = cached, header, code

    def get_code(self, fullname: str) -> CodeType:
        code, self._code = self._code, None
        if code is None:
            path = self.get_filename(fullname)
            code = compile(self.get_data(path), path, "exec", flags=_FLAGS, dont_inherit=True)
            _write(self._cached, self._header + marshal.dumps(code))
        return code


class LazyAnnotationsFinder(FinderAfter):
    """Gives a module of `packages` the loader above, if its pyc is current
    or may be written."""

    def __init__(self, packages: tuple[str, ...] = PACKAGES) -> None:
        super().__init__()
        self._packages = packages

    def handles(self, fullname: str) -> bool:
        return fullname.partition(".")[0] in self._packages

    def adapt(self, spec: importlib.machinery.ModuleSpec) -> importlib.machinery.ModuleSpec:
        source = spec.origin
        if type(spec.loader) is not importlib.machinery.SourceFileLoader or source is None:
            return spec
        cached = importlib.util.cache_from_source(source, optimization=TAG)
        try:
            header = pyc_header(source)
        except OSError:
            return spec
        code = _read(cached, header)
        if code is None and not _may_write(cached):
            return spec
        spec.loader = _Loader(spec.name, source, cached, header, code)
        spec.cached = cached
        return spec


@contextlib.contextmanager
def lazy_annotations(packages: tuple[str, ...] = PACKAGES) -> Iterator[None]:
    """While open, the modules of `packages` load with their annotations left as strings."""
    finder = LazyAnnotationsFinder(packages)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
