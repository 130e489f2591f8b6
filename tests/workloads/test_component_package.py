"""redis-filebeat:index:Stack, the component package for other languages: the
same objects as the program from the same config, a stack file's defaults, and
inputs checked as a stack file is, with no Pulumi CLI: one line per problem,
values unknown at preview refused, and secrets taken only where no manifest
holds them in plain text. The schema and the provider that serves it are in
test_component_package_provider.py.
"""

import asyncio

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.errors import InputPropertiesError
from pulumi.output import UNKNOWN
from pulumi.provider.server import ProviderServicer
from pulumi.runtime import rpc

from components.render.capture import from_capture
from components.render.mockrun import run_with_mocks
from components.workloads.component_package import Stack, stack_config
from tests.configs import PASSWORD, minimal, raw, render_config


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
