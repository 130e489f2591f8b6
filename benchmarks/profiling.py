"""Where a render's time goes: cProfile over in-process renders.

    python -m benchmarks.profiling first|warm|timed|secret STACK_FILE [TOP]

Each runs in a fresh interpreter that first imports the import floor
(peers.floor_modules), unprofiled, as the CLI imports it. So `first` profiles exactly what a
`render` process pays beyond the floor: importing components/ (pydantic,
building our models) and the first render. `warm` renders once unprofiled,
then profiles the second render: the program run alone. `timed` times those
parts without a profiler; `secret` measures the leak-check run. Each freezes
the heap after the imports, as the CLI does (components/__main__.py), so the
collection after a mocks run walks what the CLI's would.

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
import gc
import importlib
import json
import pstats
import statistics
import sys
import sysconfig
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .peers import floor_modules
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


def _render(path: Path) -> None:
    from components.render.renderer import render_stack_file

    render_stack_file(path).manifests.to_yaml()


def _import_as_the_cli(*modules: str) -> None:
    """Import as `python -m components render` imports (cli.inputs.imports_kept_to_exit):
    the collector paused, what a render never runs deferred, pulumi_kubernetes'
    annotations left as strings, then the heap frozen."""
    from components.cli import inputs

    inputs.freeze_heap = True
    with inputs.imports_kept_to_exit():
        for module in modules or ("components.cli", "components.render.renderer"):
            importlib.import_module(module)


def first(path: Path, top: int) -> str:
    def work() -> None:
        _import_as_the_cli()
        _render(path)

    stats, wall = profiled(work)
    return report(f"{path.name}, first render in a fresh process (imports of components/ "
                  "included; the import floor's left out)", stats, wall, top)


def warm(path: Path, top: int) -> str:
    _render(path)
    gc.freeze()
    stats, wall = profiled(lambda: _render(path))
    return report(f"{path.name}, a second render in the same process (the program run "
                  "alone)", stats, wall, top)


def secret(path: Path, repeats: int = 9) -> str:
    """What a plain-text secret costs: render() runs the program a second time,
    with stand-ins for the secrets, to prove no secret reaches the output."""
    import yaml

    from components.render.renderer import raw_config, render, render_stack_file

    config = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
    plain = raw_config(config, {"redisPassword": "benchmark-only-password-0123456789"})
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    cases = {"with a plain secret": lambda: render(plain, stack),
             "from the stack file": lambda: render_stack_file(path)}
    times: dict[str, list[float]] = {name: [] for name in cases}
    runs = {}
    for name, case in cases.items():
        case()
        stats, _ = profiled(case)
        runs[name] = sum(v[1] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                         if k[2] == "run_with_mocks")
    for _ in range(repeats):
        for name, case in cases.items():
            start = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - start)
    secret_ms, plain_ms = (statistics.median(times[n]) * 1000 for n in cases)
    extra = secret_ms - plain_ms
    return (f"{path.name} with redisPassword set in plain text (as every unit test that "
            f"leaves auth on does), against the stack file (its secret is a placeholder):\n"
            f"  program runs: {runs['with a plain secret']} with the secret, "
            f"{runs['from the stack file']} from the stack file\n"
            f"  median of {repeats} alternating in-process renders, unprofiled: "
            f"{secret_ms:.0f} ms with the secret, {plain_ms:.0f} ms from the stack file; "
            f"the leak-check run adds {extra:.0f} ms = {extra / secret_ms:.0%} of a render "
            "with a secret")


def timed(path: Path) -> str:
    """Unprofiled: importing components/ beyond the floor, then two renders."""
    start = time.perf_counter()
    _import_as_the_cli()
    imported = time.perf_counter()
    _render(path)
    first_done = time.perf_counter()
    _render(path)
    return json.dumps({"import": imported - start, "first": first_done - imported,
                       "second": time.perf_counter() - first_done})


def main(argv: list[str]) -> None:
    kind, path = argv[0], Path(argv[1])
    top = int(argv[2]) if len(argv) > 2 else 25
    _import_as_the_cli(*floor_modules())
    if kind == "first":
        print(first(path, top))
    elif kind == "warm":
        print(warm(path, top))
    elif kind == "timed":
        print(timed(path))
    elif kind == "secret":
        print(secret(path))
    else:
        raise SystemExit(f"unknown profile kind {kind!r}: first, warm, timed or secret")


if __name__ == "__main__":
    main(sys.argv[1:])
