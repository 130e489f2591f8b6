"""Run a Pulumi program under `pulumi.runtime.set_mocks` and keep what it registered.

The real SDK and the real `pulumi_kubernetes` classes run; only the engine is
replaced, by a monitor that records each resource's inputs, which are exactly
what the provider would send to the cluster.

`set_mocks` has sharp edges this module files down, so callers need not know:
- It creates the root Stack on whatever event loop is current, and the
  program's futures must live on the same loop. Each run gets a fresh loop.
- Its settings are ContextVars whose process-wide defaults any context can
  rewrite (`runtime_state.py`). Each run happens in its own thread with an
  empty context and settings of its own, and the defaults are put back
  afterwards, so a run neither sees nor leaves state from another run, from
  a caller's own `set_mocks`, a pytest-asyncio loop or `@pulumi.runtime.test`.
"""

import asyncio
import contextlib
import contextvars
import gc
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import pulumi
from pulumi.runtime import resource as resource_module
from pulumi.runtime import settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ..project import PROJECT, RawConfig
from .runtime_state import defaults_restored, start_fresh

_ONE_RUN_AT_A_TIME = threading.Lock()
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Registered:
    """One resource as the engine would have received it."""

    type: str
    """Pulumi type token, e.g. `kubernetes:apps/v1:DaemonSet`."""
    name: str
    """Pulumi logical name."""
    inputs: dict[str, Any]
    """Inputs as serialized by the SDK: ints arrive as floats, secrets wrapped."""
    custom: bool
    """False for component resources, which never reach a provider."""
    provider: str = ""
    """The provider reference (`<urn>::<id>`) the resource was registered
    with; empty for the default provider."""


@dataclass
class Capture:
    resources: list[Registered] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    """The stack's exports, resolved."""
    secret_outputs: set[str] = field(default_factory=set)


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self, capture: Capture):
        self.capture = capture

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.capture.resources.append(
            Registered(args.typ, args.name, args.inputs, bool(args.custom), args.provider or "")
        )
        # Echo the inputs as state, as the provider does for Kubernetes objects.
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def run_with_mocks(program: Callable[[], Any], stack: str, config: RawConfig) -> Capture:
    """Run `program` as stack `stack` of this project, with `config` as its config.

    Raises whatever the program raised, after the runtime has been put back.
    """
    capture = Capture()
    failure: list[BaseException] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        monitor_loop = asyncio.new_event_loop()
        loop.set_default_executor(_OnThisThread(loop, monitor_loop))
        try:
            start_fresh()
            # A bare `key:` (None) is refused by parse_config before any run.
            set_all_config({k: v for k, v in config.values.items() if v is not None},
                           sorted(config.secret_keys))
            pulumi.runtime.set_mocks(
                _Recorder(capture), project=PROJECT, stack=stack, preview=False)
            _sync_await(run_pulumi_func(program))
            _sync_await(_collect_outputs(capture))
        except BaseException as error:  # noqa: BLE001 handed to the caller's thread
            failure.append(error)
        finally:
            asyncio.set_event_loop(None)
            monitor_loop.close()
            loop.close()

    with _ONE_RUN_AT_A_TIME, _cycle_collector_paused(), _no_stack_traces(), \
            defaults_restored():
        worker = threading.Thread(target=contextvars.Context().run, args=(run,))
        worker.start()
        worker.join()
    if failure:
        raise failure[0]
    return capture


class _OnThisThread(ThreadPoolExecutor):
    """The loop's default executor, which the SDK hands every call to the
    mock monitor: it runs each call at once, on the program's own thread.

    A worker thread bought nothing here, as every mock call is a short,
    synchronous Python function that never waits on another; and it cost a
    hand-off between threads for each call, which on a busy machine is a wait
    for the scheduler: a dev render 0.96x to 0.98x the time with one worker,
    0.81x at load 3 (benchmarks/README.md). The monitor pumps an event loop
    of its own (`_sync_await` on the current loop); on a worker it found an
    idle one. Here it must not find the program's loop running, whose pump
    would run other registrations inside this one, each nesting deeper (at 100
    node classes, past the recursion limit). So each call runs with the
    program's loop stepped aside and `monitor_loop` in its place, idle, as a
    worker's was. No thread is ever started.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop,
                 monitor_loop: asyncio.AbstractEventLoop):
        super().__init__(max_workers=1)
        self._loop, self._monitor_loop = loop, monitor_loop

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args,
               **kwargs: _P.kwargs) -> "Future[_T]":
        future: Future[_T] = Future()
        running = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(self._monitor_loop)
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 handed to the awaiting coroutine
            future.set_exception(error)
        finally:
            asyncio.set_event_loop(self._loop)
            asyncio.events._set_running_loop(running)
        return future


@contextlib.contextmanager
def _no_stack_traces() -> Iterator[None]:
    """For one run, the SDK sends each registration without the stack trace
    of the code that made it, then as it was.

    The engine shows that trace next to a resource's errors; the mock monitor
    drops it unread. Taking it cost `traceback.extract_stack()` and a source
    line read for every frame of every resource: a first render of dev in a
    process that has imported everything took 69 ms with them and 61 without
    (18 traces; medians of 12 processes). Should the SDK rename the hook, runs take the
    trace again, as they did, rather than fail.
    """
    hook = getattr(resource_module, "_get_stack_trace", None)
    if hook is None:
        yield
        return
    resource_module._get_stack_trace = _empty_stack_trace
    try:
        yield
    finally:
        resource_module._get_stack_trace = hook


def _empty_stack_trace() -> Any:
    return source_pb2.StackTrace()


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one run, then put it back as it was.

    A run leaves hundreds of objects per resource in reference cycles
    (futures and outputs that point at each other) while it keeps growing
    what it still needs. With the collector on, the allocations set off
    collection after collection, the older ones walking the whole growing
    heap: at 1000 node classes 1,468 passes, 2.6 s of a 10.5 s render.
    Paused, one pass when the run is over frees the same garbage in 0.65 s.
    The price is holding that garbage until then: +14 MiB peak (6%) there.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _collect_outputs(capture: Capture) -> None:
    root = settings.get_root_resource()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        capture.outputs[name] = await output.future()
        if await output.is_secret():
            capture.secret_outputs.add(name)
