"""cProfile on every thread of a render, and its time read by owner.

The program runs on a worker thread, and the SDK calls the mocks from a
thread pool (see components/render/mockrun.py). A profiler on the main thread sees
none of that, so every thread started during the profile gets its own
profiler, and their statistics are merged. cProfile's clock is the wall
clock: a thread blocked in a lock, a queue or the event loop's poll is
charged for the wait, so those calls are left out of the totals (WAITS). A
thread made to wait for the GIL in the middle of Python code still is, which
is why the owners' sum can exceed the wall time by some 10%. (A per-thread
CPU clock would avoid that, but as a Python-level timer it makes cProfile
three times slower and distorts call-heavy code more.)
"""

import cProfile
import pstats
import sysconfig
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .runner import ROOT

SITE = sysconfig.get_paths()["purelib"] + "/"
STDLIB = sysconfig.get_paths()["stdlib"] + "/"
UNOWNED = "stdlib + builtins (no library above)"
OWNERS = (  # (substring of the file name, owner); the first match wins
    (str(ROOT / "components") + "/", "ours (components/)"),
    (SITE + "pulumi_kubernetes/", "pulumi_kubernetes"),
    (SITE + "pulumi/", "pulumi SDK"),
    (SITE + "pydantic", "pydantic (+ pydantic_core)"),
    (SITE + "yaml/", "PyYAML"),
    (SITE + "grpc/", "grpc/asyncio"),
    (STDLIB + "asyncio/", "grpc/asyncio"),
    (SITE + "google/protobuf/", "protobuf"),
    ("<frozen importlib", "import machinery"),
    (str(ROOT / "benchmarks") + "/", "this profiler"),
)
# Costs worth a line of their own, whatever their rank: (function name, what it is).
WATCH = (
    ("extract_docstrings_from_cls", "pydantic reading field docstrings from source "
                                    "(use_attribute_docstrings; schema.py does it instead)"),
    ("source_to_code", "compiling modules that have no cached .pyc"),
    ("parse_config", "validating the stack config"),
    ("overlapping_classes", "the pairwise node-class overlap check"),
    ("from_capture", "captured inputs to manifests"),
    ("to_yaml", "manifests to YAML"),
)
# A thread blocked on another is not work: leave these out of the totals. With
# threads, a lock's __enter__ and the event loop's wake-up `send` mostly wait
# for the GIL, held by another thread whose work is counted already.
WAITS = ("acquire' of '_thread.lock", "'__enter__' of '_thread.", "get' of '_queue.SimpleQueue",
         "poll' of 'select.epoll", "'send' of '_socket.socket", "time.sleep", "select.select",
         "'recv", "'join'")


class AllThreads:
    """cProfile on this thread and on every thread started while it is on."""

    def __enter__(self) -> "AllThreads":
        self.profiles = [cProfile.Profile()]
        threading.setprofile(self._in_new_thread)
        self.profiles[0].enable()
        return self

    def _in_new_thread(self, frame: Any, event: str, arg: Any) -> None:
        profile = cProfile.Profile()
        self.profiles.append(profile)
        profile.enable()  # replaces this hook, for this thread only

    def __exit__(self, *exc: object) -> None:
        self.profiles[0].disable()
        threading.setprofile(None)  # type: ignore[arg-type]  # None unsets it; typeshed omits that

    def stats(self) -> pstats.Stats:
        """All threads' statistics (the threads must have ended)."""
        stats = pstats.Stats(self.profiles[0])
        for profile in self.profiles[1:]:
            stats.add(pstats.Stats(profile))
        return stats


def profiled(work: Callable[[], Any]) -> tuple[pstats.Stats, float]:
    with AllThreads() as profiler:
        start = time.perf_counter()
        work()
        wall = time.perf_counter() - start
    return profiler.stats(), wall


# An import statement inside a function, of a module already loaded, runs
# these on every call: a cost of the function's owner, not of loading modules.
IMPORT_STATEMENT = ("parent", "_handle_fromlist")


def owner_of(func: tuple) -> str | None:
    filename, _, name = func
    if filename.startswith("<frozen importlib") and name in IMPORT_STATEMENT:
        return None
    return next((owner for needle, owner in OWNERS if needle in filename), None)


def is_wait(func: tuple) -> bool:
    return func[0] == "~" and any(wait in func[2] for wait in WAITS)


def by_owner(stats: pstats.Stats) -> dict[str, float]:
    """Own time per owner. Builtins and the standard library are charged to
    the library that called them, up through callers that are themselves
    unowned, split by each caller's share of the callee's cumulative time."""
    table: dict = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table untyped
    memo: dict[tuple, dict[str, float]] = {}

    def shares(func: tuple, seen: frozenset) -> dict[str, float]:
        owner = owner_of(func)
        if owner:
            return {owner: 1.0}
        if func in memo:
            return memo[func]
        callers = table.get(func, (0, 0, 0, 0, {}))[4]
        if not callers or func in seen:
            return {UNOWNED: 1.0}
        weights = {caller: edge[3] for caller, edge in callers.items()}
        if not sum(weights.values()):
            weights = {caller: edge[1] for caller, edge in callers.items()}
        total = sum(weights.values()) or 1
        result: dict[str, float] = defaultdict(float)
        for caller, weight in weights.items():
            for owner, part in shares(caller, seen | {func}).items():
                result[owner] += part * weight / total
        memo[func] = result
        return result

    totals: dict[str, float] = defaultdict(float)
    for func, (_, _, own, _, _) in table.items():
        if is_wait(func):
            continue
        for owner, part in shares(func, frozenset()).items():
            totals[owner] += own * part
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def where(func: tuple) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    for prefix in (str(ROOT) + "/", SITE, STDLIB):
        filename = filename.removeprefix(prefix)
    return f"{filename}:{line}({name})"


def report(title: str, stats: pstats.Stats, wall: float, top: int) -> str:
    totals = by_owner(stats)
    busy = sum(totals.values()) or 1.0
    table: dict = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table untyped
    runs = [v for k, v in table.items() if k[2] == "run_with_mocks"]
    lines = [f"{title}: {wall * 1000:.0f} ms wall under cProfile",
             "program runs (run_with_mocks): "
             + (f"{runs[0][1]}, {runs[0][3] * 1000:.0f} ms cumulative" if runs else "none"),
             "own time by owner, all threads (waits left out; builtins and the stdlib charged "
             "to their caller):"]
    lines += [f"  {name:<36} {seconds * 1000:8.1f} ms {100 * seconds / busy:5.1f}%"
              for name, seconds in totals.items()]
    ordered = sorted(((k, v) for k, v in table.items() if not is_wait(k)),
                     key=lambda kv: -kv[1][3])
    lines += [f"top {top} by cumulative time (threads merged; the waits themselves left "
              "out, but a caller that waits includes them, e.g. a pool thread's _worker):",
              f"  {'cum ms':>8} {'own ms':>8} {'calls':>8}  function"]
    lines += [f"  {v[3] * 1000:8.1f} {v[2] * 1000:8.1f} {v[1]:8}  {where(k)}"
              for k, v in ordered[:top]]
    ours = [(k, v) for k, v in ordered if owner_of(k) == OWNERS[0][1]]
    lines += ["components/ by cumulative time (our code and what it calls):"]
    lines += [f"  {v[3] * 1000:8.1f} {v[2] * 1000:8.1f} {v[1]:8}  {where(k)}"
              for k, v in ours[:12]]
    lines += ["selected (cumulative):"]
    for name, what in WATCH:
        # The outermost of the functions so named (to_yaml calls a to_yaml).
        found = max((v for k, v in table.items() if k[2] == name), key=lambda v: v[3],
                    default=None)
        if found:
            lines.append(f"  {found[3] * 1000:8.1f} ms {found[1]:5} calls  {name}: {what}")
    return "\n".join(lines)
