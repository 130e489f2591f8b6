"""A minimal Pulumi language host for Python programs.

The Pulumi CLI starts a language plugin, reads one line from its stdout (the
port of a gRPC server on 127.0.0.1) and then calls the LanguageRuntime service
on it. This host implements the calls that `pulumi preview`, `up`, `destroy`,
`refresh` and `stack output` make, and `RunPlugin`, which runs a policy pack
written in Python (`--policy-pack DIR`); it answers UNIMPLEMENTED for the rest
(code generation, packing, templates).

`Run` starts run_program.py (next to this file) in a child process, with the
program's interpreter, and turns its exit status into the RunResponse:
exit 0 is success, BAIL_EXIT_CODE means "the error was already shown to the
user" (bail), anything else is an error message.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent import futures
from typing import Any

import plugins  # beside this file, which Python puts first on sys.path

try:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2
except ImportError as error:  # pragma: no cover - depends on the interpreter
    print(
        f"pulumi-language-python: {error}. This host needs a Python with grpcio and the "
        "pulumi SDK: create the project's .venv (pip install -r requirements.txt) or set "
        "PULUMI_LANGUAGE_PYTHON_INTERPRETER.",
        file=sys.stderr,
    )
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "run_program.py")
# Must match run_program.BAIL_EXIT_CODE.
BAIL_EXIT_CODE = 32
# What GetPluginInfo reports: this host's own version, not the SDK's.
VERSION = "0.1.0"


def _options(info: Any) -> dict[str, Any]:
    """The `runtime.options` of Pulumi.yaml, as the CLI forwards them."""
    if info is None or not info.HasField("options"):
        return {}
    from google.protobuf import json_format

    return json_format.MessageToDict(info.options)


def _interpreter(root: str, options: dict[str, Any]) -> str:
    """The Python that runs the program.

    $PULUMI_LANGUAGE_PYTHON_INTERPRETER wins; then `runtime.options.virtualenv`
    (relative to the project root); then the project's `.venv`; then the Python
    running this host.
    """
    explicit = os.environ.get("PULUMI_LANGUAGE_PYTHON_INTERPRETER")
    return explicit or _virtualenv_python(root, options) or sys.executable


def _virtualenv_python(root: str, options: dict[str, Any]) -> str | None:
    """`runtime.options.virtualenv`'s Python (relative to `root`), else `.venv`'s."""
    candidates = []
    venv = options.get("virtualenv")
    if isinstance(venv, str) and venv:
        candidates.append(venv if os.path.isabs(venv) else os.path.join(root, venv))
    candidates.append(os.path.join(root, ".venv"))
    for venv_dir in candidates:
        python = os.path.join(venv_dir, "bin", "python")
        if os.access(python, os.X_OK):
            return python
    return None


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str) -> None:
        self.engine_address = engine_address
        self.root_directory = ""
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    # Lifecycle -------------------------------------------------------------

    def Handshake(self, request: Any, context: Any) -> Any:
        if request.engine_address:
            self.engine_address = request.engine_address
        if request.root_directory:
            self.root_directory = request.root_directory
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=VERSION)

    def Cancel(self, request: Any, context: Any) -> Any:
        self.stop_children()
        return empty_pb2.Empty()

    def stop_children(self) -> None:
        """SIGTERM every running program, then SIGKILL what is left after 5s."""
        with self._lock:
            children = list(self._children)
        for child in children:
            _signal(child, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _signal(child, signal.SIGKILL)
                child.wait()

    # What the program needs ------------------------------------------------

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        # Empty: the engine loads a provider when the program first registers
        # a resource with it. See README.md for how that finds the plugin.
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPackagesResponse()

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        root = request.info.root_directory or request.pwd or os.getcwd()
        python = _interpreter(root, _options(request.info))
        try:
            out = subprocess.run(
                [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                capture_output=True, check=True, timeout=60,
            ).stdout
            packages = json.loads(out)
        except (OSError, subprocess.SubprocessError, ValueError) as error:
            context.abort(grpc.StatusCode.INTERNAL, f"pip list with {python}: {error}")
        return language_pb2.GetProgramDependenciesResponse(dependencies=[
            language_pb2.DependencyInfo(name=p["name"], version=p["version"]) for p in packages
        ])

    def About(self, request: Any, context: Any) -> Any:
        root = self.root_directory or os.getcwd()
        python = _interpreter(root, {})
        try:
            version = subprocess.run(
                [python, "-c", "import platform; print(platform.python_version())"],
                capture_output=True, text=True, check=True, timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            version = ""
        return language_pb2.AboutResponse(executable=python, version=version)

    def InstallDependencies(self, request: Any, context: Any) -> Any:
        """A program: `pip install -r requirements.txt` into its interpreter,
        when both exist; otherwise nothing, and never creates a virtualenv.
        A plugin: its own virtualenv, created if missing (plugins.py)."""
        root = request.info.root_directory or request.directory or os.getcwd()
        if request.is_plugin:
            folder = request.info.program_directory or request.directory or root
            for stdout, stderr, code in plugins.install(root, folder, _options(request.info)):
                yield language_pb2.InstallDependenciesResponse(stdout=stdout, stderr=stderr)
                if code != 0:
                    context.abort(grpc.StatusCode.INTERNAL,
                                  f"installing the plugin's dependencies exited with {code}")
            return
        python = _interpreter(root, _options(request.info))
        requirements = os.path.join(request.directory or root, "requirements.txt")
        if python == sys.executable and not os.environ.get("PULUMI_LANGUAGE_PYTHON_INTERPRETER"):
            yield language_pb2.InstallDependenciesResponse(
                stdout=b"pulumi-language-python: no virtualenv found; not installing anything\n")
            return
        if not os.path.isfile(requirements):
            return
        proc = subprocess.run(
            [python, "-m", "pip", "install", "-q", "-r", requirements],
            capture_output=True, check=False,
        )
        yield language_pb2.InstallDependenciesResponse(stdout=proc.stdout, stderr=proc.stderr)
        if proc.returncode != 0:
            context.abort(grpc.StatusCode.INTERNAL, f"pip install exited with {proc.returncode}")

    # Running the program ---------------------------------------------------

    def Run(self, request: Any, context: Any) -> Any:
        info = request.info
        root = info.root_directory or self.root_directory or request.pwd
        pwd = request.pwd or info.program_directory or root
        program = request.program or info.entry_point or "."
        python = _interpreter(root, _options(info))

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
        with self._lock:
            self._children.add(child)
        # If the CLI gives up on the call (Ctrl-C, timeout), stop the program.
        context.add_callback(lambda: _signal(child, signal.SIGTERM))
        try:
            code = child.wait()
        finally:
            with self._lock:
                self._children.discard(child)

        if code == 0:
            return language_pb2.RunResponse()
        if code == BAIL_EXIT_CODE:
            return language_pb2.RunResponse(bail=True)
        if code < 0:
            return language_pb2.RunResponse(
                error=f"Python program stopped by signal {signal.Signals(-code).name}")
        return language_pb2.RunResponse(error=f"Python program exited with code {code}")


    # Running a plugin written in Python (a policy pack, a component package) --

    def RunPlugin(self, request: Any, context: Any) -> Any:
        """Start the plugin's `__main__.py` with its own virtualenv's Python and
        stream what it prints: the CLI reads the plugin's port from stdout."""
        info = request.info
        root = info.root_directory or request.pwd
        entry = info.entry_point or request.program or "."
        folder = info.program_directory or root
        target = entry if os.path.isabs(entry) else os.path.join(folder, entry)
        python = _plugin_interpreter(root, _options(info))
        env = dict(os.environ)
        env.update(item.split("=", 1) for item in request.env if "=" in item)
        child = subprocess.Popen([python, "-u", target, *request.args],
                                 cwd=request.pwd or folder, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self._lock:
            self._children.add(child)
        context.add_callback(lambda: _signal(child, signal.SIGTERM))
        chunks: queue.Queue[tuple[str, bytes] | None] = queue.Queue()

        def pump(stream: Any, field: str) -> None:
            for line in iter(stream.readline, b""):
                chunks.put((field, line))
            chunks.put(None)

        pumps = [threading.Thread(target=pump, args=(child.stdout, "stdout"), daemon=True),
                 threading.Thread(target=pump, args=(child.stderr, "stderr"), daemon=True)]
        for thread in pumps:
            thread.start()
        try:
            open_streams = len(pumps)
            while open_streams:
                item = chunks.get()
                if item is None:
                    open_streams -= 1
                    continue
                field, data = item
                yield language_pb2.RunPluginResponse(**{field: data})
            yield language_pb2.RunPluginResponse(exitcode=child.wait())
        finally:
            with self._lock:
                self._children.discard(child)


def _plugin_interpreter(root: str, options: dict[str, Any]) -> str:
    """A plugin's Python: its own virtualenv (its runtime options', else `venv`
    as Pulumi's host defaults to, else `.venv`) first. A
    PULUMI_LANGUAGE_PYTHON_INTERPRETER set for the program must not run a
    plugin whose dependencies live elsewhere."""
    return (plugins.virtualenv_python(root, options) or _virtualenv_python(root, options)
            or _interpreter(root, options))


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    if child.poll() is None:
        try:
            child.send_signal(sig)
        except ProcessLookupError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="pulumi-language-python")
    # The CLI may pass logging and tracing flags before the engine address.
    parser.add_argument("--tracing", default="")
    parser.add_argument("--logtostderr", action="store_true")
    parser.add_argument("-v", dest="verbose", default="")
    parser.add_argument("--root", default="")
    parser.add_argument("engine_address", nargs="?", default="")
    args, _unknown = parser.parse_known_args()

    host = LanguageHost(args.engine_address)
    host.root_directory = args.root
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)

    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    # The CLI stops plugins with SIGINT to the process group (SIGKILL after
    # 5s); a supervisor may send SIGTERM. Either way, stop the programs first.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping.wait(timeout=1):
        pass
    host.stop_children()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
