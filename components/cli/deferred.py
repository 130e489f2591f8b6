"""Parts of the Pulumi SDK and its dependencies that a render never runs,
imported by the CLI only when something first reads them.

`import pulumi` imports the whole SDK, the Automation API, dynamic providers
(and with them `dill`, `multiprocessing`, `ctypes`) and policy packs
included, and with it grpc's asyncio API, protobuf's text format and
pure-Python message classes, and OpenTelemetry's trace-context reader. A
render under mocks uses none of them: they cost a dev render 127 million of
its 3,620 million instructions (3.5%, benchmarks/README.md). Each module
named here is bound as an empty module and executed in full on its first
attribute read (the standard library's `importlib.util.LazyLoader`), so a
program that uses one still gets all of it; it pays the import then. Only
`python -m components` defers (cli.inputs.imports_kept_to_exit), and only
while it imports the renderer: a library caller's imports are its own.

A module is here only if a render leaves it unread (tests/cli/test_deferred.py
renders and checks): bound by one plain import, never imported again (in
Python 3.11 a second import runs a lazy module) nor read. grpc and
OpenTelemetry's SDK are read at import, so they cannot wait. Should a later
release read one of these at import time, it is simply run there, as before.
"""

import contextlib
import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterator

from .finders import FinderAfter

DEFERRED = frozenset({
    "pulumi.automation",  # the Automation API: drives the pulumi CLI
    "pulumi.dynamic",  # dynamic providers, pickled with dill
    "pulumi.policy",  # policy packs
    "grpc.aio",  # grpc's asyncio API: the SDK serves callbacks to a live engine with it
    "google.protobuf.text_format",  # printing messages as text
    "google.protobuf.internal.python_message",  # protobuf's pure-Python backend; upb runs
    "opentelemetry.propagate",  # reads TRACEPARENT; the SDK reads it only when that is set
})


class _DeferringFinder(FinderAfter):
    """Gives a deferred module a lazy loader."""

    def handles(self, fullname: str) -> bool:
        return fullname in DEFERRED

    def adapt(self, spec: importlib.machinery.ModuleSpec) -> importlib.machinery.ModuleSpec:
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """While open, the modules in DEFERRED are imported lazily."""
    finder = _DeferringFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
