"""renderYamlToDirectory: one provider that writes files, used by every object."""

import pytest

from components.mockrun import run_with_mocks
from components.program import main
from tests.configs import minimal, raw, render_config

PROVIDER = "pulumi:providers:kubernetes"
CONFIG = minimal() | {"namespace": "logging", "createNamespace": True}


def registered(config: dict):
    return run_with_mocks(main, "test", raw(config)).resources


def test_by_default_every_object_uses_the_default_provider():
    resources = registered(CONFIG)
    assert [r for r in resources if r.type == PROVIDER] == []
    assert {r.provider for r in resources} == {""}


def test_the_setting_routes_every_object_through_one_rendering_provider():
    resources = registered(CONFIG | {"renderYamlToDirectory": "rendered/dev"})
    [provider] = [r for r in resources if r.type == PROVIDER]
    assert provider.inputs == {"renderYamlToDirectory": "rendered/dev"}
    objects = [r for r in resources if r.type.startswith("kubernetes:")]
    assert {r.type.rpartition(":")[2] for r in objects} >= {
        "Namespace", "ConfigMap", "Secret", "Service", "Deployment", "DaemonSet",
        "ClusterRole", "ClusterRoleBinding", "NetworkPolicy", "ServiceAccount"}
    urn = f"urn:pulumi:test::redis-filebeat::pulumi:pulumi:Stack${PROVIDER}::render-yaml"
    assert {r.provider.partition("::render-yaml::")[0] + "::render-yaml" for r in objects} \
        == {urn}


def test_the_manifests_are_the_same_either_way():
    plain = render_config(CONFIG).manifests.to_yaml()
    assert render_config(CONFIG | {"renderYamlToDirectory": "out"}).manifests.to_yaml() == plain


@pytest.mark.parametrize(("value", "message"), [
    ("", "at least 1 character"),
    ("out\nput", "must not contain control characters or line breaks"),
])
def test_a_bad_directory_is_refused(value, message):
    from components.loading import ConfigError, parse_config

    with pytest.raises(ConfigError) as error:
        parse_config(raw(CONFIG | {"renderYamlToDirectory": value}), "stacks/Pulumi.t.yaml")
    assert "stacks/Pulumi.t.yaml: renderYamlToDirectory: " in str(error.value)
    assert message in str(error.value)
