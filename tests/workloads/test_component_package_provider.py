"""The provider of redis-filebeat:index:Stack, as the Pulumi engine meets it: the
schema the SDK infers (the stack file's top-level keys, open objects below),
inputs checked before the component is constructed, a refusal answered as the
status message alone, and provider/ run as a Python plugin serving the same
schema. What the component builds and which inputs it refuses are in
test_component_package.py.
"""

import asyncio
import contextvars
import json
import os
import subprocess
import sys
import threading

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.errors import InputPropertiesError
from pulumi.provider.server import ProviderServicer
from pulumi.runtime import settings
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from components.workloads.component_package import StackProvider
from tests.configs import ROOT

PROVIDER = ROOT / "provider"


def schema() -> dict:
    return json.loads(StackProvider().schema or "{}")


def test_the_schema_has_one_component_with_the_stack_files_top_level_keys():
    resources = schema()["resources"]
    assert list(resources) == ["redis-filebeat:index:Stack"]
    stack = resources["redis-filebeat:index:Stack"]
    assert stack["isComponent"] is True
    assert sorted(stack["inputProperties"]) == [
        "clusterDomain", "createNamespace", "filebeat", "forceConflicts", "namespace",
        "redis", "redisPassword"]
    assert stack["requiredInputs"] == ["filebeat", "redis"]
    assert sorted(stack["properties"]) == stack["required"] == [
        "daemonSetNames", "namespace", "redisHost", "redisPort"]
    assert stack["properties"]["redisPort"]["type"] == "integer"
    assert stack["properties"]["daemonSetNames"]["items"]["type"] == "string"


def test_redis_and_filebeat_are_open_objects_and_known_at_preview():
    """The schema cannot say what the models say (unions, patterns, rules
    across keys), so below the top level it leaves the objects open; plain, so
    the caller must pass values known at preview, which the models can check."""
    inputs = schema()["resources"]["redis-filebeat:index:Stack"]["inputProperties"]
    for key in ("redis", "filebeat"):
        assert inputs[key]["type"] == "object" and inputs[key]["plain"] is True
        assert inputs[key]["additionalProperties"]["$ref"] == "pulumi.json#/Any"
    # The password may be an output (a secret), so it is not plain.
    assert inputs["redisPassword"] == {**inputs["redisPassword"], "type": "string"}
    assert "plain" not in inputs["redisPassword"]


def test_the_provider_checks_before_it_constructs():
    """`ComponentProvider` would report an error raised in the constructor
    with a traceback; `StackProvider` raises the one-line error first."""
    with pytest.raises(InputPropertiesError) as caught:
        StackProvider().construct("logs", "redis-filebeat:index:Stack", {"redis": {}})
    assert caught.value.message.splitlines() == [
        "redis.image: is required",
        "filebeat: is required"]


def test_the_provider_server_answers_with_the_lines_alone():
    """What the engine receives: INVALID_ARGUMENT with the lines as the status
    message (the SDK's server drops a status without its details list)."""
    class Context:
        status = None

        async def abort_with_status(self, status):
            self.status = status

    async def construct(context: Context) -> None:
        servicer = ProviderServicer(StackProvider(), [], engine_address="")
        request = provider_pb2.ConstructRequest(type="redis-filebeat:index:Stack", name="logs")
        request.inputs.update({"redis": {}})
        with pytest.raises(InputPropertiesError):
            await servicer.Construct(request, context)

    context = Context()
    saved = dict(vars(settings.SETTINGS))
    try:  # the server resets the runtime's settings; a thread keeps its config apart
        worker = threading.Thread(target=contextvars.Context().run,
                                  args=(asyncio.run, construct(context)))
        worker.start()
        worker.join()
    finally:
        vars(settings.SETTINGS).clear()
        vars(settings.SETTINGS).update(saved)
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.INVALID_ARGUMENT
    assert context.status.details == "redis.image: is required\nfilebeat: is required"
    assert context.status.trailing_metadata[0][0] == "grpc-status-details-bin"


def test_the_plugin_folder_serves_the_schema(tmp_path):
    """`provider/` runs as the CLI runs it (`python provider/ <engine address>`,
    through the language host) and answers GetSchema with the same schema."""
    proc = subprocess.Popen([sys.executable, str(PROVIDER), "127.0.0.1:1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = stub.GetSchema(provider_pb2.GetSchemaRequest()).schema
            assert stub.GetPluginInfo(empty_pb2.Empty()).version == "0.1.0"
        assert json.loads(served) == schema()
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_the_plugin_folder_is_a_python_plugin_with_the_projects_requirements():
    import yaml

    plugin = yaml.safe_load((PROVIDER / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert plugin["runtime"]["options"]["virtualenv"] == ".venv"
    lines = [line for line in (PROVIDER / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines == ["-r ../requirements.txt"]
