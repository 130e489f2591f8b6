"""Numbered lines a pod writes, and the count of what reached redis:
sent, received, lost and duplicated, as the tutorial's check reads them.

Plain functions over filebeat's events, so the unit run tests them
(tests/e2e_support/test_e2e_lines.py) where no node runs.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.e2e.answers import filebeat_event

PAD = "x" * 48
"""Lines long enough that a few dozen pass 1 KiB: filebeat reads a file only
once it has the 1024 bytes its fingerprint is taken from."""


SETTLE_SECONDS = 5
"""How long a writer waits before its first line: until the kubelet has told
the API server its container's ID, which add_kubernetes_metadata's matcher
keys on. A line written in the container's first second can be shipped
before that, without metadata (docs/filebeat.md#processors)."""


def script(run: str, count: int, every: float = 0, settle: float = SETTLE_SECONDS) -> str:
    """A busybox sh loop printing `rfb <run> <n> <pad>` for n = 1..count,
    `every` seconds apart, after `settle` seconds, then idling so the log
    file stays on the node."""
    pause = f"sleep {every}; " if every else ""
    wait = f"sleep {settle}; " if settle else ""
    return (f'{wait}n=1; while [ "$n" -le {count} ]; do echo "rfb {run} $n {PAD}"; {pause}'
            'n=$((n + 1)); done; exec sleep 3600')


def events(lrange_output: str) -> list[dict[str, Any]]:
    """redis-cli's LRANGE answer (one entry a line, as redis-cli prints to a
    pipe) as filebeat's events; an entry that is not one fails, saying why."""
    return [filebeat_event(line) for line in lrange_output.splitlines() if line.strip()]


@dataclass(frozen=True)
class Count:
    sent: int
    received: int
    lost: int
    duplicated: int

    def __str__(self) -> str:
        return (f"sent {self.sent}, received {self.received}, lost {self.lost}, "
                f"duplicated {self.duplicated}")


def count(found: Iterable[dict[str, Any]], run: str, sent: int) -> Count:
    """What arrived of one writer's `sent` lines."""
    pattern = re.compile(rf"rfb {re.escape(run)} (\d+) ")
    numbers = [int(m.group(1)) for e in found
               if (m := pattern.match(str(e.get("message", ""))))]
    distinct = set(numbers)
    return Count(sent, len(numbers), len(set(range(1, sent + 1)) - distinct),
                 len(numbers) - len(distinct))


def of_run(found: Iterable[dict[str, Any]], run: str) -> list[dict[str, Any]]:
    return [e for e in found if str(e.get("message", "")).startswith(f"rfb {run} ")]


def reshipped(found: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """Every (file, offset) sent more than once: whatever re-read a file, a
    registry lost or a pod that read another's files, shows here, whoever
    wrote the lines."""
    places = Counter((e["log"]["file"]["path"], e["log"]["offset"]) for e in found
                     if isinstance(e.get("log"), dict) and "offset" in e["log"])
    return sorted(place for place, n in places.items() if n > 1)
