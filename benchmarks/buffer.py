"""The buffer section: how many events a MiB of redis holds, and what holding them costs.

Every list setting (`list-compress-depth` 0 to 2 by `list-max-listpack-size`
-2 to -5) is filled by the real filebeat from the same seeded corpus
(benchmarks/corpus.py), round by round in a rotating order, and compared
with depth 0 and size -2: a stock redis' defaults. The stack's generated
setting is marked. See buffer_run.py for what one run measures.
"""

import os
import statistics
from pathlib import Path

from components.config.redis.buffer import Buffer
from tests.real.runtime.images import load

from .buffer_run import DRAIN_BATCH, PUSH_BATCH, Run, Setting, one
from .corpus import MIX, corpus
from .pipeline import filebeat_version
from .runner import BenchmarkError
from .table import table

EVENTS = 100_000
SEED = 7
STOCK = Setting(depth=0, size=-2)
SETTINGS = [Setting(depth, size) for depth in (0, 1, 2) for size in (-2, -3, -4, -5)]
RATES = ("push", "drain", "ceiling", "ceiling_drain")
GOAL_HOLD, GOAL_RATE = 5.0, 0.9
"""The issue's goal: five times the events per MiB, each rate at 0.9 of stock's or more."""


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def buffer(scratch: Path, repeats: int) -> str:
    if os.geteuid() != 0:
        raise BenchmarkError("the buffer section runs the pods in mount namespaces: root only")
    images = {name: load(name) for name in ("filebeat", "redis", "redis-exporter")}
    logs = corpus(SEED, EVENTS)
    runs: dict[Setting, list[Run]] = {setting: [] for setting in SETTINGS}
    sizes: list[int] = []
    for round_number in range(repeats):
        shift = round_number * 5 % len(SETTINGS)
        for setting in SETTINGS[shift:] + SETTINGS[:shift]:
            run, events = one(scratch, images, setting, logs)
            runs[setting].append(run)
            sizes = sizes or [len(event) for event in events]
    stock = {field: _median(runs[STOCK], field)
             for field in ("bytes_per_event", "with_metadata", *RATES)}
    ours = Setting(Buffer().list_compress_depth, Buffer().list_max_listpack_size)
    rows = []
    for setting in SETTINGS:
        held = _median(runs[setting], "bytes_per_event")
        metadata = _median(runs[setting], "with_metadata")
        rates = [_median(runs[setting], f) for f in RATES]
        label = setting.label + (" (stock redis)" if setting == STOCK else "") + (
            " (generated)" if setting == ours else "")
        rows.append([label, f"{held:.0f}", f"{2**20 / held:,.0f}",
                     f"{stock['bytes_per_event'] / held:.2f}×",
                     f"{metadata:.0f} ({stock['with_metadata'] / metadata:.2f}×)",
                     *(f"{rate:,.0f} ({rate / stock[f]:.2f}×)"
                       for rate, f in zip(rates, RATES, strict=True)),
                     f"{_median(runs[setting], 'cpu_push'):.1f} / "
                     f"{_median(runs[setting], 'cpu_drain'):.1f}"])
    held = stock["bytes_per_event"] / _median(runs[ours], "bytes_per_event")
    held_metadata = stock["with_metadata"] / _median(runs[ours], "with_metadata")
    push, drain = (_median(runs[ours], f) / stock[f] for f in ("push", "drain"))
    met = held >= GOAL_HOLD and push >= GOAL_RATE and drain >= GOAL_RATE
    mix = ", ".join(f"{name} {share:.0%} ({kind.split('_')[0]})"
                    for name, (kind, share) in MIX.items())
    return "\n".join([
        f"buffer: {EVENTS:,} events from benchmarks/corpus.py --seed {SEED} ({mix}), "
        f"{statistics.mean(sizes):.0f} bytes each in redis on average "
        f"({min(sizes)}–{max(sizes)}), shipped by filebeat {filebeat_version(images)}; "
        f"median of {repeats} interleaved rounds",
        table(["list setting", "bytes/event", "events/MiB", "× stock",
               "with kubernetes.*: bytes/event", "filebeat push/s",
               f"reader drain/s (LPOP {DRAIN_BATCH})", f"redis RPUSH {PUSH_BATCH}, pipelined/s",
               f"redis LPOP {DRAIN_BATCH}/s", "redis CPU s/1M: push / drain"], rows),
        "with kubernetes.*: the same events with the block add_kubernetes_metadata adds, "
        "written by the benchmark (these runs have no API server) and pushed by redis-cli",
        f"generated ({ours.label}) against stock: {held:.2f}× the events per MiB "
        f"({held_metadata:.2f}× with kubernetes.*), filebeat "
        f"push {push:.2f}×, drain {drain:.2f}× (goal ≥ {GOAL_HOLD:.0f}×, ≥ {GOAL_RATE}× and "
        f"≥ {GOAL_RATE}×: {'met' if met else 'NOT met'})",
    ])
