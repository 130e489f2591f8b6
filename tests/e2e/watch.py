"""A DaemonSet's pods watched while a rollout runs: its waves and how long it took.

The tests call `timed_rollout` with a `pulumi up`; a benchmark can call it
with anything that starts a rollout. Events are stamped with this process's
monotonic clock as they arrive, so the times are the watcher's, not the
API server's (whose timestamps have one-second resolution).
"""

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

from tests.e2e.waves import PodEvent, Rollout, WatchDecoder, count_waves, pod_event

T = TypeVar("T")
POLL_SECONDS = 0.2


class PodWatch:
    """`kubectl get pods --watch --output-watch-events -o json` in the background."""

    def __init__(self, command: Sequence[str], container: str):
        self.command = [*command, "--watch", "--output-watch-events"]
        self.container = container
        self._events: list[PodEvent] = []
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> "PodWatch":
        self._process = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        decoder = WatchDecoder()
        for line in self._process.stdout:
            for document in decoder.feed(line):
                event = pod_event(time.monotonic(), document, self.container)
                with self._lock:
                    self._events.append(event)

    def events(self) -> list[PodEvent]:
        with self._lock:
            return list(self._events)

    def wait_for(self, done: Callable[[list[PodEvent]], bool], seconds: float) -> bool:
        """Whether `done` held within `seconds`; a watch that died says why."""
        deadline = time.monotonic() + seconds
        while not done(self.events()):
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"the pod watch exited ({self._process.returncode}): "
                                   f"{self._stderr()}")
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    def _stderr(self) -> str:
        assert self._process is not None and self._process.stderr is not None
        return self._process.stderr.read().strip()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        assert self._process is not None and self._reader is not None
        self._process.terminate()
        self._process.wait(timeout=30)
        self._reader.join(timeout=30)
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()


def running_old_pods(events: Sequence[PodEvent], new_image: str) -> set[str]:
    """The pods of another image that are Ready and not terminating, as last seen."""
    last = {e.name: e for e in events}
    return {name for name, e in last.items()
            if e.image != new_image and e.ready and not e.terminating and e.type != "DELETED"}


def timed_rollout(watch_command: Sequence[str], container: str, new_image: str, nodes: int,
                  start: Callable[[], T], min_ready_seconds: float = 0,
                  settle_seconds: float = 120) -> tuple[Rollout, T]:
    """The rollout `start` sets off over `nodes` nodes, and what `start` returned.

    The watch has listed all `nodes` old pods running before `start` runs,
    and the rollout is read once a new pod is available on every node
    (or after `settle_seconds` of waiting for that, unfinished).
    """
    with PodWatch(watch_command, container) as watch:
        if not watch.wait_for(lambda e: len(running_old_pods(e, new_image)) >= nodes,
                              settle_seconds):
            raise RuntimeError(f"the watch did not list {nodes} running pods of another "
                               f"image than {new_image} within {settle_seconds:g} s")
        result = start()

        def finished(events: list[PodEvent]) -> bool:
            rollout = count_waves(events, new_image, min_ready_seconds)
            return rollout.replaced >= nodes and not rollout.unfinished

        watch.wait_for(finished, settle_seconds)
        return count_waves(watch.events(), new_image, min_ready_seconds), result
