"""Where a render's time goes: cProfile over an in-process render.

The program runs on a worker thread (see components/mockrun.py), which a
profiler started on the main thread does not see, so a second profiler is
switched on inside that thread, around the mocks run. Both are merged, and
the time is summed by who owns the code: us, Pulumi's SDK, the generated
Kubernetes classes, pydantic, PyYAML, gRPC/asyncio, or the rest.
"""

import cProfile
import io
import pstats
import time
from collections import defaultdict
from pathlib import Path

OWNERS = (
    ("components/", "ours (components/)"),
    ("pulumi_kubernetes/", "pulumi_kubernetes"),
    ("pulumi/", "pulumi SDK"),
    ("pydantic", "pydantic"),
    ("yaml/", "PyYAML"),
    ("grpc", "grpc"),
    ("asyncio/", "asyncio"),
    ("google/protobuf", "protobuf"),
)


def profile_render(stack_file: Path, top: int = 25) -> str:
    from components import mockrun
    from components.render import render_stack_file

    render_stack_file(stack_file)  # warm: imports and pydantic's schema builds
    worker_profiles: list[cProfile.Profile] = []
    original = mockrun._sync_await

    def profiled(awaitable):
        profiler = cProfile.Profile()
        worker_profiles.append(profiler)
        return profiler.runcall(original, awaitable)

    main_profile = cProfile.Profile()
    mockrun._sync_await = profiled
    try:
        start = time.perf_counter()
        main_profile.runcall(render_stack_file, stack_file)
        wall = time.perf_counter() - start
    finally:
        mockrun._sync_await = original
    stats = pstats.Stats(main_profile)
    for profiler in worker_profiles:
        stats.add(profiler)
    return (f"profile of render_stack_file({stack_file.name}): {wall * 1000:.0f} ms wall, "
            f"{len(worker_profiles)} awaits on the mocks thread profiled\n\n"
            + _owners(stats) + "\n\n" + _top(stats, top))


def _owners(stats: pstats.Stats) -> str:
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "acquire" in function or "recv" in function:
            continue  # a thread waiting for another, not work
        owner = next((name for needle, name in OWNERS if needle in filename), "other")
        totals[owner] += tottime
    whole = sum(totals.values()) or 1.0
    lines = ["own time by owner (waits on locks and sockets left out; 'other' is mostly "
             "the standard library on behalf of the SDK):"]
    lines += [f"  {name:<20} {seconds * 1000:7.1f} ms  {100 * seconds / whole:5.1f}%"
              for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def _top(stats: pstats.Stats, top: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    return text[text.index("   ncalls"):] if "   ncalls" in text else text
