"""toolchain/language-host: the launcher starts a server that prints its port,
answers the calls the CLI makes before `Run`, refuses the ones it does not
implement, and stops on SIGTERM."""

import os
import signal
import subprocess
import sys

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from tests.configs import ROOT

LAUNCHER = ROOT / "toolchain" / "language-host" / "pulumi-language-python"


@pytest.fixture
def host(tmp_path):
    env = dict(os.environ, PULUMI_LANGUAGE_PYTHON_INTERPRETER=sys.executable)
    proc = subprocess.Popen([str(LAUNCHER), "127.0.0.1:1"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield proc, language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_calls_before_run(host, tmp_path):
    proc, stub = host
    stub.Handshake(language_pb2.LanguageHandshakeRequest(
        engine_address="127.0.0.1:1", root_directory=str(tmp_path),
        program_directory=str(tmp_path)))
    assert stub.GetPluginInfo(empty_pb2.Empty()).version
    info = language_pb2.ProgramInfo(root_directory=str(tmp_path),
                                    program_directory=str(tmp_path), entry_point=".")
    assert not stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info)).packages
    assert stub.About(language_pb2.AboutRequest()).executable == sys.executable
    with pytest.raises(grpc.RpcError) as error:
        stub.GenerateProgram(language_pb2.GenerateProgramRequest())
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_stops_on_sigterm(host):
    proc, stub = host
    stub.Cancel(empty_pb2.Empty())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
