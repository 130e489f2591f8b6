"""Running a program (`Run`) and a plugin written in Python (`RunPlugin`: a
policy pack, a component package), and stopping what runs."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from interpreters import interpreter, plugin_interpreter, runtime_options
from rpc import language_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "run_program.py")
# Must match run_program.BAIL_EXIT_CODE.
BAIL_EXIT_CODE = 32


class Children:
    """The programs and plugins running now, so that a Cancel or a signal to the
    host stops them too."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    @contextmanager
    def tracked(self, child: subprocess.Popen[bytes]) -> Iterator[None]:
        with self._lock:
            self._running.add(child)
        try:
            yield
        finally:
            with self._lock:
                self._running.discard(child)

    def stop(self) -> None:
        """SIGTERM every running program, then SIGKILL what is left after 5s."""
        with self._lock:
            children = list(self._running)
        for child in children:
            send_signal(child, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                send_signal(child, signal.SIGKILL)
                child.wait()


def send_signal(child: subprocess.Popen[bytes], sig: int) -> None:
    if child.poll() is None:
        try:
            child.send_signal(sig)
        except ProcessLookupError:
            pass


class RunCalls:
    """Part of LanguageHost (langhost.py), which sets the engine address, the
    root directory and `children`."""

    engine_address: str
    root_directory: str
    children: Children

    def Run(self, request: Any, context: Any) -> Any:
        info = request.info
        root = info.root_directory or self.root_directory or request.pwd
        pwd = request.pwd or info.program_directory or root
        program = request.program or info.entry_point or "."
        python = interpreter(root, runtime_options(info))

        args = [
            python, RUNNER,
            "--monitor", request.monitor_address,
            "--engine", self.engine_address,
            "--project", request.project,
            "--stack", request.stack,
            "--parallel", str(request.parallel),
            "--dry-run", "true" if request.dryRun else "false",
            "--pwd", pwd,
            "--root-directory", root,
        ]
        if request.organization:
            args += ["--organization", request.organization]
        args += [program, "--", *request.args]

        env = dict(os.environ)
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))

        # The program's output goes where ours goes: the engine shows it.
        sys.stdout.flush()
        # Same process group as this host: when the CLI interrupts or kills
        # the plugin's group, the program goes with it.
        child = subprocess.Popen(args, cwd=pwd, env=env)
        with self.children.tracked(child):
            # If the CLI gives up on the call (Ctrl-C, timeout), stop the program.
            context.add_callback(lambda: send_signal(child, signal.SIGTERM))
            code = child.wait()

        if code == 0:
            return language_pb2.RunResponse()
        if code == BAIL_EXIT_CODE:
            return language_pb2.RunResponse(bail=True)
        if code < 0:
            return language_pb2.RunResponse(
                error=f"Python program stopped by signal {signal.Signals(-code).name}")
        return language_pb2.RunResponse(error=f"Python program exited with code {code}")

    def RunPlugin(self, request: Any, context: Any) -> Any:
        """Start the plugin's `__main__.py` with its own virtualenv's Python and
        stream what it prints: the CLI reads the plugin's port from stdout."""
        info = request.info
        root = info.root_directory or request.pwd
        entry = info.entry_point or request.program or "."
        folder = info.program_directory or root
        target = entry if os.path.isabs(entry) else os.path.join(folder, entry)
        python = plugin_interpreter(root, runtime_options(info))
        env = dict(os.environ)
        env.update(item.split("=", 1) for item in request.env if "=" in item)
        child = subprocess.Popen([python, "-u", target, *request.args],
                                 cwd=request.pwd or folder, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self.children.tracked(child):
            context.add_callback(lambda: send_signal(child, signal.SIGTERM))
            chunks: queue.Queue[tuple[str, bytes] | None] = queue.Queue()

            def pump(stream: Any, field: str) -> None:
                for line in iter(stream.readline, b""):
                    chunks.put((field, line))
                chunks.put(None)

            pumps = [threading.Thread(target=pump, args=(child.stdout, "stdout"), daemon=True),
                     threading.Thread(target=pump, args=(child.stderr, "stderr"), daemon=True)]
            for thread in pumps:
                thread.start()
            open_streams = len(pumps)
            while open_streams:
                item = chunks.get()
                if item is None:
                    open_streams -= 1
                    continue
                field, data = item
                yield language_pb2.RunPluginResponse(**{field: data})
            yield language_pb2.RunPluginResponse(exitcode=child.wait())
