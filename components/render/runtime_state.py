"""Keep a mock run's Pulumi runtime state apart from the caller's.

The SDK's settings (`pulumi.runtime.settings.SETTINGS`) look like one object
but each field is a ContextVar with a process-wide default, and that default
is rewritten by the first assignment made in any context that has none of
its own. `set_mocks` assigns most fields but not all: the set of outputs a
program waits for is never replaced. So a run in a fresh context used to
inherit, through the defaults, the outputs of a caller's own `set_mocks`
(whose root Stack waits on the caller's loop, which waits for the run): a
hang, and inside `@pulumi.runtime.test` one the kit had to refuse. And each
run left its monitor behind as the default for every context that set none,
such as a thread the caller starts later.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from pulumi.runtime import settings

_DEFAULT = "_ContextProperty__default"


def _fields() -> list[Any]:
    """The SDK's context-backed settings fields, found rather than listed,
    so a field a later SDK adds is kept apart too."""
    found: dict[str, Any] = {}
    for klass in reversed(type(settings.SETTINGS).__mro__):
        found |= {name: value for name, value in vars(klass).items()
                  if hasattr(value, _DEFAULT) and hasattr(value, "_data")}
    return list(found.values())


@contextlib.contextmanager
def defaults_restored() -> Iterator[None]:
    """Put every field's process-wide default back once the run is over, so
    no context the caller makes later sees the run's monitor or outputs."""
    saved = [(field, getattr(field, _DEFAULT)) for field in _fields()]
    try:
        yield
    finally:
        for field, default in saved:
            setattr(field, _DEFAULT, default)


def start_fresh() -> None:
    """Give the current (the run's own, empty) context a settings object of
    its own, outputs and RPC list included, before `set_mocks` fills it in:
    what the defaults hold is the caller's."""
    settings.Settings(project=None, stack=None)
