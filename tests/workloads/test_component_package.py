"""redis-filebeat:index:Stack, the component package for other languages:
the schema the SDK infers, the same objects as the program, and inputs
checked as a stack file is, with no Pulumi CLI."""

import asyncio
import contextvars
import json
import os
import subprocess
import sys
import threading

import grpc
import pulumi
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.errors import InputPropertiesError
from pulumi.output import UNKNOWN
from pulumi.provider.server import ProviderServicer
from pulumi.runtime import rpc, settings
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from components.render.capture import from_capture
from components.render.mockrun import run_with_mocks
from components.workloads.component_package import Stack, StackProvider, stack_config
from tests.configs import PASSWORD, ROOT, minimal, raw, render_config

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


def component_program(args: dict):
    def program() -> None:
        stack = Stack("logs", args)
        pulumi.export("redisHost", stack.redis_host)
        pulumi.export("redisPort", stack.redis_port)
        pulumi.export("daemonSetNames", stack.daemon_set_names)
        pulumi.export("namespace", stack.namespace)
    return program


def by_identity(manifests) -> dict:
    return {m.identity(): m.body for m in manifests.objects}


def test_the_component_builds_what_the_program_builds_from_the_same_config():
    args = {**minimal(), "namespace": "logging",
            "redis_password": PASSWORD}
    capture = run_with_mocks(component_program(args), "test", raw({}))
    program = render_config(minimal() | {"namespace": "logging"})
    assert by_identity(from_capture(capture.resources)) == by_identity(program.manifests)
    assert capture.outputs == {
        "namespace": "logging", "redisHost": program.outputs["redisHost"],
        "redisPort": 6379, "daemonSetNames": ["filebeat"]}
    assert ("redis-filebeat:index:Stack", "logs") in {
        (r.type, r.name) for r in capture.resources if not r.custom}


def test_the_defaults_are_a_stack_files():
    config = stack_config("logs", {**minimal(), "redisPassword": PASSWORD})
    assert (config.namespace, config.create_namespace, config.cluster_domain,
            config.force_conflicts) == ("default", False, "cluster.local", True)
    assert config.render_yaml_to_directory is None


def refusal(inputs: dict) -> str:
    with pytest.raises(InputPropertiesError) as caught:
        stack_config("logs", inputs)
    return caught.value.message


def test_a_bad_input_is_one_line_naming_the_resource_and_the_key():
    inputs = {**minimal(), "redisPassword": PASSWORD}
    inputs["filebeat"] = {"image": "docker.elastic.co/beats/filebeat:8.15.3",
                          "updateStrategy": {"type": "OnDelete", "maxSurge": 1}}
    assert refusal(inputs) == (
        "filebeat.updateStrategy.maxSurge: is not allowed "
        "with type OnDelete: pods are replaced only when you delete them, so there is no "
        "rollout to tune")


def test_each_problem_is_a_line_of_its_own():
    message = refusal({"redis": {"image": "redis:7.4-alpine"}, "filebeat": {},
                       "redisPassword": "short"})
    assert message.splitlines() == [
        "filebeat.image: is required",
        "redisPassword: must have at least 16 characters"]


def test_a_missing_password_says_so_while_auth_is_on():
    assert refusal(minimal()).startswith(
        "redisPassword: is required because redis.auth is true")


def test_an_unknown_key_is_refused_with_a_suggestion():
    assert refusal({**minimal(), "namepsace": "x", "redisPassword": PASSWORD}) == (
        "namepsace: unknown key; did you mean 'namespace'?")


def test_a_value_unknown_at_preview_is_refused_not_guessed():
    inputs = {**minimal(), "redisPassword": PASSWORD}
    inputs["redis"] = {"image": UNKNOWN}
    assert refusal(inputs) == (
        "redis: is not known until another resource is "
        "created; the component checks its config before it builds anything, so pass a "
        "value known at preview")


def test_the_wire_s_doubles_are_integers_again():
    inputs = {**minimal(), "redisPassword": PASSWORD}
    inputs["redis"] = {"image": "redis:7.4-alpine", "port": 6380.0}
    assert stack_config("logs", inputs).redis.port == 6380


def test_a_secret_input_is_read_as_the_provider_server_hands_it_over():
    """The server wraps a secret in an Output before `construct`; that
    Output's value is already there, which the check relies on. If an SDK
    release changes that, this fails rather than the check passing blind."""
    async def construct_inputs() -> object:
        struct = struct_pb2.Struct()
        struct.update({**minimal(), "redisPassword": {rpc._special_sig_key: rpc._special_secret_sig,
                                                      "value": PASSWORD}})
        inputs = await ProviderServicer._construct_inputs(struct, {})
        assert isinstance(inputs["redisPassword"], pulumi.Output)
        return stack_config("logs", inputs)

    config = asyncio.run(construct_inputs())
    assert config.redis_password is not None
    assert config.redis_password.get_secret_value() == PASSWORD


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


def secret(value):
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def test_a_secret_where_the_manifests_hold_plain_text_is_refused():
    """As a stack file's rule: a secret anywhere but the password would be
    written into a manifest in plain text, so it is refused, not declassified."""
    inputs = {**minimal(), "redisPassword": PASSWORD}
    inputs["redis"] = {"image": secret("redis:7.4-alpine")}
    assert refusal(inputs) == (
        "redis: is a secret, but this input is written into the manifests in plain text; "
        "pass it as a plain value")


def test_a_plain_password_is_accepted_as_the_password():
    """Whatever the caller passed, the password becomes a secret (`build` makes
    it one); the stack-file rule against a plain-text password is about files."""
    config = stack_config("logs", {**minimal(), "redisPassword": PASSWORD})
    assert config.redis_password is not None
    assert config.redis_password.get_secret_value() == PASSWORD
