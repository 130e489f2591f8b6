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

How every thread is profiled, and why waits are left out of the totals:
profiling_stats.py.
"""

import gc
import importlib
import json
import statistics
import sys
import time
from pathlib import Path

from .peers import floor_modules
from .profiling_stats import profiled, report


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
