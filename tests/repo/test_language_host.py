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


def test_run_plugin_streams_the_plugins_output_then_its_exit_code(host, tmp_path):
    """A policy pack: its folder's __main__.py, run with its own .venv's Python
    (here the test's), its args and env; stdout (where it prints its port) is
    streamed as it comes, and the exit code comes last."""
    _, stub = host
    pack = tmp_path / "pack"
    (pack / ".venv" / "bin").mkdir(parents=True)
    # The pack's own Python, chosen over the program's PULUMI_LANGUAGE_PYTHON_INTERPRETER.
    python = pack / ".venv" / "bin" / "python"
    python.write_text(f"#!/bin/sh\nPACK_PYTHON=venv exec {sys.executable} \"$@\"\n")
    python.chmod(0o755)
    (pack / "__main__.py").write_text(
        "import os, sys\nprint('4242', flush=True)\n"
        "print(os.environ['PACK_PYTHON'], os.environ['PACK_ENV'], sys.argv[1:], file=sys.stderr)\n"
        "sys.exit(3)\n")
    info = language_pb2.ProgramInfo(root_directory=str(pack), program_directory=str(pack),
                                    entry_point=".")
    responses = list(stub.RunPlugin(language_pb2.RunPluginRequest(
        pwd=str(pack), info=info, args=["127.0.0.1:9"], env=["PACK_ENV=set"],
        kind="analyzer")))
    assert b"".join(r.stdout for r in responses) == b"4242\n"
    assert b"".join(r.stderr for r in responses) == b"venv set ['127.0.0.1:9']\n"
    assert responses[-1].WhichOneof("output") == "exitcode" and responses[-1].exitcode == 3


def _plugin_info(folder, virtualenv):
    from google.protobuf import struct_pb2

    options = struct_pb2.Struct()
    options.update({"toolchain": "pip", "virtualenv": virtualenv})
    return language_pb2.ProgramInfo(root_directory=str(folder), program_directory=str(folder),
                                    entry_point=".", options=options)


def test_install_dependencies_of_a_plugin_creates_its_virtualenv(host, tmp_path):
    """A component package's folder has no virtualenv until the CLI asks for
    one (`pulumi install`, `package add`): the host creates the one its
    PulumiPlugin.yaml names and installs requirements.txt into it."""
    _, stub = host
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "requirements.txt").write_text("# nothing to download\n")
    list(stub.InstallDependencies(language_pb2.InstallDependenciesRequest(
        directory=str(plugin), info=_plugin_info(plugin, ".venv"), is_plugin=True)))
    python = plugin / ".venv" / "bin" / "python"
    assert os.access(python, os.X_OK)
    # And RunPlugin then runs the plugin with it.
    (plugin / "__main__.py").write_text("import sys\nprint(sys.prefix, flush=True)\n")
    responses = list(stub.RunPlugin(language_pb2.RunPluginRequest(
        pwd=str(plugin), info=_plugin_info(plugin, ".venv"), kind="resource")))
    assert b"".join(r.stdout for r in responses).decode().strip() == str(plugin / ".venv")


def test_install_dependencies_of_a_plugin_fails_with_pips_message(host, tmp_path):
    _, stub = host
    plugin = tmp_path / "plugin"
    (plugin / "venv" / "bin").mkdir(parents=True)
    # An existing virtualenv is kept, whatever made it; here, one whose pip fails.
    pip = plugin / "venv" / "bin" / "python"
    pip.write_text("#!/bin/sh\necho 'no such requirement' >&2\nexit 7\n")
    pip.chmod(0o755)
    (plugin / "requirements.txt").write_text("something\n")
    info = _plugin_info(plugin, "")  # no virtualenv option: `venv`, as Pulumi's host
    responses = []
    with pytest.raises(grpc.RpcError) as error:
        for response in stub.InstallDependencies(language_pb2.InstallDependenciesRequest(
                directory=str(plugin), info=info, is_plugin=True)):
            responses.append(response)
    assert error.value.code() == grpc.StatusCode.INTERNAL
    assert "exited with 7" in error.value.details()
    assert b"".join(r.stderr for r in responses) == b"no such requirement\n"
