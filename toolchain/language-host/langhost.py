"""A minimal Pulumi language host for Python programs.

The Pulumi CLI starts a language plugin, reads one line from its stdout (the
port of a gRPC server on 127.0.0.1) and then calls the LanguageRuntime service
on it. This host implements the calls that `pulumi preview`, `up`, `destroy`,
`refresh` and `stack output` make, and `RunPlugin`, which runs a policy pack
written in Python (`--policy-pack DIR`); it answers UNIMPLEMENTED for the rest
(code generation, packing, templates).

The calls live beside this file, by what they are about: dependencies.py
(what a program or plugin needs), running.py (`Run`, `RunPlugin`, and
stopping what runs); interpreters.py picks the Python for each, rpc.py
imports the gRPC stubs, plugins.py installs a plugin's virtualenv.

`Run` starts run_program.py (next to this file) in a child process, with the
program's interpreter, and turns its exit status into the RunResponse:
exit 0 is success, BAIL_EXIT_CODE means "the error was already shown to the
user" (bail), anything else is an error message.
"""

from __future__ import annotations

import argparse
import signal
import threading
from concurrent import futures
from typing import Any

# Beside this file, which Python puts first on sys.path. Each reaches gRPC
# through rpc.py, so a Python without it stops with one message.
from dependencies import DependencyCalls
from rpc import empty_pb2, grpc, language_pb2, language_pb2_grpc, plugin_pb2
from running import Children, RunCalls

# What GetPluginInfo reports: this host's own version, not the SDK's.
VERSION = "0.1.0"


class LanguageHost(DependencyCalls, RunCalls, language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str) -> None:
        self.engine_address = engine_address
        self.root_directory = ""
        self.children = Children()

    # Lifecycle: the rest is in the classes above.

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
        self.children.stop()


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
