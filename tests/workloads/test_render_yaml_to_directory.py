"""renderYamlToDirectory: one provider that writes files, used by every object."""

import json
import os

import pytest

from components.config.errors import ConfigError
from components.config.files.stack_file import read_stack_file
from components.config.stack.parse import parse_config
from components.project import PROJECT, RawConfig
from components.render.mockrun import Registered, run_with_mocks
from components.render.renderer import render
from components.workloads.program import main
from tests.configs import PASSWORD, ROOT, STACKS, minimal, raw

PROVIDER = "pulumi:providers:kubernetes"
KEY = f"{PROJECT}:renderYamlToDirectory"
EVERYTHING = minimal() | {"namespace": "logging", "createNamespace": True}
"""A config that creates every kind of object the program can: the Namespace,
a claim, the daemon's own Service and one DaemonSet per node class."""
EVERYTHING["redis"] |= {"persistence": {"enabled": True}}
EVERYTHING["filebeat"] |= {
    "expose": "service", "ports": [{"name": "metrics", "containerPort": 5066}],
    "nodeClasses": {"big": {"nodeSelector": {"pool": "big"}},
                    "small": {"nodeSelector": {"pool": "small"}}}}
CASES = ["everything", *STACKS]


@pytest.fixture(autouse=True)
def _no_provider_settings_from_the_environment(monkeypatch):
    """`Provider()` fills `kubeconfig` from $KUBECONFIG and its flags from
    PULUMI_K8S_* variables: what is asserted here must not depend on the shell."""
    for name in list(os.environ):
        if name == "KUBECONFIG" or name.startswith("PULUMI_K8S_"):
            monkeypatch.delenv(name)


def case(name: str) -> tuple[str, RawConfig]:
    """(stack, config as the engine hands it over): EVERYTHING, or a committed
    stack file with the redis password set when its redis asks for one."""
    if name == "everything":
        return "test", raw(EVERYTHING)
    config = read_stack_file(ROOT / "stacks" / f"Pulumi.{name}.yaml")
    if not json.loads(config.values.get(f"{PROJECT}:redis") or "{}").get("auth", True):
        return name, config
    password = f"{PROJECT}:redisPassword"
    return name, RawConfig({**config.values, password: PASSWORD},
                           config.secret_keys | {password})


def with_directory(config: RawConfig, directory: str) -> RawConfig:
    return RawConfig({**config.values, KEY: directory}, config.secret_keys)


def kubernetes_objects(resources: list[Registered]) -> list[Registered]:
    return [r for r in resources if r.type.startswith("kubernetes:")]


def test_by_default_no_provider_is_created_and_every_object_uses_the_default_one():
    resources = run_with_mocks(main, *case("everything")).resources
    assert [r for r in resources if r.type == PROVIDER] == []
    assert kubernetes_objects(resources)
    assert {r.provider for r in resources} == {""}


def test_the_setting_creates_one_provider_that_only_renders():
    stack, config = case("everything")
    resources = run_with_mocks(main, stack, with_directory(config, "rendered/dev")).resources
    [provider] = [r for r in resources if r.type == PROVIDER]
    # Nothing else: no kubeconfig or context, which the renderer has no use for.
    assert provider.name == "render-yaml"
    assert provider.inputs == {"renderYamlToDirectory": "rendered/dev", "kubeconfig": ""}


def test_a_kubeconfig_in_the_environment_stays_out_of_it(monkeypatch):
    """The provider refuses a kubeconfig beside renderYamlToDirectory, and the
    SDK fills one in from $KUBECONFIG when the program gives none: with it
    exported, as on most operators' machines, `pulumi up` failed."""
    monkeypatch.setenv("KUBECONFIG", "/home/operator/.kube/config")
    stack, config = case("everything")
    resources = run_with_mocks(main, stack, with_directory(config, "rendered/dev")).resources
    [provider] = [r for r in resources if r.type == PROVIDER]
    assert provider.inputs.get("kubeconfig") == ""


@pytest.mark.parametrize("name", CASES)
def test_every_object_goes_through_the_rendering_provider(name):
    stack, config = case(name)
    resources = run_with_mocks(main, stack, with_directory(config, "rendered")).resources
    urn = f"urn:pulumi:{stack}::{PROJECT}::pulumi:pulumi:Stack${PROVIDER}::render-yaml"
    objects = kubernetes_objects(resources)
    # A provider reference is `<provider urn>::<provider id>`.
    assert [r for r in objects if not r.provider.startswith(f"{urn}::")] == []
    if name == "everything":
        assert {(r.type.rpartition(":")[2], r.name) for r in objects} >= {
            ("Namespace", "logging"), ("ConfigMap", "redis-config"),
            ("ConfigMap", "filebeat-config"), ("Secret", "redis-auth"),
            ("Secret", "filebeat-redis-auth"), ("PersistentVolumeClaim", "redis-data"),
            ("Deployment", "redis"), ("Service", "redis"), ("Service", "filebeat"),
            ("NetworkPolicy", "redis"), ("NetworkPolicy", "filebeat"),
            ("ServiceAccount", "filebeat"), ("ClusterRole", "filebeat"),
            ("ClusterRoleBinding", "filebeat"), ("DaemonSet", "filebeat-big"),
            ("DaemonSet", "filebeat-small")}


@pytest.mark.parametrize("name", CASES)
def test_the_rendered_manifests_are_the_same_either_way(name):
    # The provider decides where objects go, not what they are.
    stack, config = case(name)
    plain = render(config, stack)
    rendered = render(with_directory(config, "rendered"), stack)
    assert rendered.manifests.to_yaml() == plain.manifests.to_yaml()
    assert rendered.outputs == plain.outputs


@pytest.mark.parametrize(("value", "message"), [
    # The provider takes "" for unset, and would deploy to the cluster instead.
    ("", "at least 1 character"),
    ("out\nput", "must not contain control characters or line breaks"),
])
def test_a_bad_directory_is_refused(value, message):
    with pytest.raises(ConfigError) as error:
        parse_config(with_directory(raw(EVERYTHING), value), "stacks/Pulumi.t.yaml")
    assert "stacks/Pulumi.t.yaml: renderYamlToDirectory: " in str(error.value)
    assert message in str(error.value)
