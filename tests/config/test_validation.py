"""Every validation rule: bad config gives one line per problem, naming the
stack file and the key, and nothing is rendered."""

import pytest

from components import ConfigError
from tests.configs import minimal, refused, render_config, with_filebeat, with_redis

FILE = "<render_config>"


def problems(config: dict) -> list[str]:
    return refused(config)


def only_problem(config: dict) -> str:
    lines = problems(config)
    assert len(lines) == 1, lines
    return lines[0]


CASES = {
    # names and namespaces
    "namespace-uppercase": (minimal() | {"namespace": "Logging"},
        "namespace: 'Logging' is not a DNS-1123 label"),
    "namespace-too-long": (minimal() | {"namespace": "a" * 64},
        "namespace: 'aaaa"),
    "cluster-domain": (minimal() | {"clusterDomain": "cluster..local"},
        "clusterDomain: 'cluster..local' is not a DNS-1123 subdomain"),
    "redis-name-digit-first": (with_redis(name="1redis"),
        "redis.name: '1redis' is not a DNS-1035 label"),
    "redis-name-trailing-dash": (with_redis(name="a-"), "redis.name: 'a-' is not a DNS-1035 label"),
    "filebeat-name-underscore": (with_filebeat(name="file_beat"),
        "filebeat.name: 'file_beat' is not a DNS-1123 label"),
    "container-name": (with_filebeat(containerName="Beat"),
        "filebeat.containerName: 'Beat' is not a DNS-1123 label"),
    # labels
    "label-key": (with_redis(labels={"bad key": "x"}),
        "redis.labels: label key 'bad key' is invalid"),
    "label-key-prefix": (with_filebeat(labels={"Example.com/app": "x"}),
        "filebeat.labels: label key 'Example.com/app' has an invalid prefix"),
    "label-value": (with_filebeat(labels={"app": "-x"}),
        "filebeat.labels.app: label value '-x' is invalid"),
    "label-value-too-long": (with_filebeat(labels={"app": "x" * 64}),
        "filebeat.labels.app: label value 'xxx"),
    "labels-empty": (with_redis(labels={}),
        "redis.labels: must hold at least one label: the labels become the selector"),
    "node-selector-value": (with_filebeat(nodeSelector={"disk": "s s d"}),
        "filebeat.nodeSelector.disk: label value 's s d' is invalid"),
    "selectors-overlap": (
        {"redis": {"image": "r", "labels": {"app": "logs"}},
         "filebeat": {"image": "f", "labels": {"app": "logs", "tier": "node"}}},
        "filebeat.labels: filebeat.labels overlaps redis.labels"),
    # ports and counts
    "port-zero": (with_redis(port=0), "redis.port: should be greater than or equal to 1 (got 0)"),
    "port-too-high": (with_redis(port=65536),
        "redis.port: should be less than or equal to 65535 (got 65536)"),
    "container-port": (with_redis(containerPort=-1),
        "redis.containerPort: should be greater than or equal to 1 (got -1)"),
    "replicas-negative": (with_redis(replicas=-1),
        "redis.replicas: should be greater than or equal to 0 (got -1)"),
    "replicas-string": (with_redis(replicas="1"),
        "redis.replicas: should be a valid integer (got '1')"),
    # images
    "image-empty": (with_redis(image=""), "redis.image: must not be empty"),
    "image-blank": (with_filebeat(image="  "), "filebeat.image: must not be empty"),
    "image-missing": ({"redis": {"image": "r"}, "filebeat": {}}, "filebeat.image: is required"),
    "filebeat-missing": ({"redis": {"image": "r"}}, "filebeat: is required"),
    # update strategy
    "max-unavailable-negative": (with_filebeat(updateStrategy={"maxUnavailable": -1}),
        "filebeat.updateStrategy.maxUnavailable: must be a whole number of pods (0 to 2147483647) "
        "or a percentage from '0%' to '100%' (got -1)"),
    "max-surge-over-100": (with_filebeat(updateStrategy={"maxUnavailable": 0, "maxSurge": "101%"}),
        "filebeat.updateStrategy.maxSurge: must be a whole number of pods (0 to 2147483647) "
        "or a percentage from '0%' to '100%' (got '101%')"),
    "max-surge-not-percent": (with_filebeat(updateStrategy={"maxUnavailable": 0, "maxSurge": "5"}),
        "filebeat.updateStrategy.maxSurge: must be a whole number"),
    "max-surge-float": (with_filebeat(updateStrategy={"maxUnavailable": 0, "maxSurge": 1.5}),
        "filebeat.updateStrategy.maxSurge: must be a whole number"),
    "both-zero": (with_filebeat(updateStrategy={"maxUnavailable": 0, "maxSurge": "0%"}),
        "filebeat.updateStrategy: maxUnavailable and maxSurge cannot both be zero"),
    "both-non-zero": (with_filebeat(updateStrategy={"maxUnavailable": 1, "maxSurge": 1}),
        "filebeat.updateStrategy: maxUnavailable and maxSurge cannot both be non-zero"),
    "on-delete-max-surge": (with_filebeat(updateStrategy={"type": "OnDelete", "maxSurge": 1}),
        "filebeat.updateStrategy.maxSurge: is not allowed with type OnDelete"),
    "on-delete-max-unavailable": (
        with_filebeat(updateStrategy={"type": "OnDelete", "maxUnavailable": 1}),
        "filebeat.updateStrategy.maxUnavailable: is not allowed with type OnDelete"),
    "unknown-strategy": (with_filebeat(updateStrategy={"type": "Recreate"}),
        "filebeat.updateStrategy: unknown update strategy type 'Recreate'; "
        "use RollingUpdate or OnDelete"),
    "strategy-not-a-mapping": (with_filebeat(updateStrategy="OnDelete"),
        "filebeat.updateStrategy: must be a mapping such as {type: RollingUpdate} "
        "(got 'OnDelete')"),
    "replicas-over-int32": (with_redis(replicas=2**31),
        "redis.replicas: should be less than or equal to 2147483647 (got 2147483648)"),
    "max-unavailable-over-int32": (with_filebeat(updateStrategy={"maxUnavailable": 10**23}),
        "filebeat.updateStrategy.maxUnavailable: must be a whole number of pods (0 to "
        "2147483647)"),
    "toleration-seconds-over-int32": (
        with_filebeat(tolerations=[
            {"key": "a", "effect": "NoExecute", "tolerationSeconds": 2**40}]),
        "filebeat.tolerations[0].tolerationSeconds: should be less than or equal to 2147483647"),
    "image-control-character": (with_redis(image="redis\x00"),
        "redis.image: 'redis\\x00' is not an image reference: it contains whitespace or control"),
    "image-inner-space": (with_redis(image="redis :7"),
        "redis.image: 'redis :7' is not an image reference"),
    "label-key-prefix-too-long": (with_redis(labels={("a" * 60 + ".") * 5 + "x/app": "x"}),
        "redis.labels: label key 'aaaa"),
    "huge-exponent": (with_redis(resources={"requests": {"cpu": "1e999999999"},
                                            "limits": {"cpu": "1"}}),
        "redis.resources.requests.cpu: requests.cpu (1e999999999) is more than limits.cpu (1)"),
    # env
    "env-derived": (with_filebeat(env={"REDIS_HOST": "x"}),
        "filebeat.env.REDIS_HOST: is derived by the component (REDIS_HOST and REDIS_PORT from "
        "the redis Service, NODE_NAME from the node); remove it"),
    "env-name": (with_filebeat(env={"1X": "y"}),
        "filebeat.env: '1X' is not a valid environment variable name"),
    "env-name-double-dot": (with_filebeat(env={"..X": "y"}),
        "filebeat.env: '..X' is not a valid environment variable name"),
    "env-value-type": (with_filebeat(env={"X": 1}),
        "filebeat.env.X: must be text, but YAML read 1 as a number: quote it, as '1'"),
    "label-value-boolean": (with_redis(labels={"tier": True}),
        "redis.labels.tier: must be text, but YAML read true as a boolean: quote it, as 'true'"),
    "label-value-float": (with_filebeat(nodeSelector={"gen": 1.5}),
        "filebeat.nodeSelector.gen: must be text, but YAML read 1.5 as a number: quote it, as "
        "'1.5'"),
    "image-list": (with_redis(image=["redis"]),
        "redis.image: should be a valid string (got ['redis'])"),
    # A key valid elsewhere (filebeat.nodeSelector) is no suggestion for itself.
    "unknown-key-valid-elsewhere": (with_redis(tolerateAllTaints=True),
        "redis.tolerateAllTaints: unknown key"),
    # tolerations
    "toleration-no-key": (with_filebeat(tolerations=[{"operator": "Equal", "value": "x"}]),
        "filebeat.tolerations[0]: a toleration without key must use operator Exists"),
    "toleration-exists-value": (
        with_filebeat(tolerations=[{"key": "a", "operator": "Exists", "value": "b"}]),
        "filebeat.tolerations[0]: a toleration with operator Exists must not set value"),
    "toleration-seconds": (
        with_filebeat(tolerations=[{"key": "a", "effect": "NoSchedule", "tolerationSeconds": 5}]),
        "filebeat.tolerations[0]: tolerationSeconds applies only to effect NoExecute"),
    "toleration-effect": (with_filebeat(tolerations=[{"operator": "Exists", "effect": "Never"}]),
        "filebeat.tolerations[0].effect: must be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'"),
    # resources
    "quantity": (with_filebeat(resources={"limits": {"memory": "lots"}}),
        "filebeat.resources.limits.memory: 'lots' is not a Kubernetes quantity"),
    "request-over-limit": (with_redis(resources={"requests": {"memory": "2Gi"},
                                                 "limits": {"memory": "1Gi"}}),
        "redis.resources.requests.memory: requests.memory (2Gi) is more than limits.memory (1Gi)"),
    # unknown keys
    "unknown-top-level": (minimal() | {"namepsace": "x"},
        "namepsace: unknown key; did you mean 'namespace'?"),
    "unknown-nested": (with_filebeat(updateStrategy={"maxUnavailable": 1, "maxSuge": 0}),
        "filebeat.updateStrategy.maxSuge: unknown key; did you mean 'maxSurge'?"),
    "unknown-snake-case": (with_redis(container_port=1),
        "redis.container_port: unknown key; did you mean 'containerPort'?"),
    "create-builtin-namespace": (minimal() | {"createNamespace": True},
        "createNamespace: createNamespace is true but namespace 'default' is built into every "
        "cluster"),
}


@pytest.mark.parametrize(("config", "message"), CASES.values(), ids=CASES.keys())
def test_rule(config, message):
    assert only_problem(config).startswith(f"{FILE}: {message}")


def test_every_problem_is_reported_at_once_one_per_line():
    config = {"namespace": "Bad", "redis": {"image": "", "port": 0},
              "filebeat": {"image": "f", "updateStrategy": {"type": "OnDelete", "maxSurge": 1}}}
    lines = problems(config)
    assert [line.split(": ")[1] for line in lines] == [
        "namespace", "redis.image", "redis.port", "filebeat.updateStrategy.maxSurge"]
    assert all(line.startswith(f"{FILE}: ") for line in lines)


def test_other_namespaces_are_left_alone():
    # kubernetes:context is the provider's to read; it must neither be refused
    # nor change what renders.
    with_context = render_config(minimal() | {"kubernetes:context": "kind-kind"})
    assert with_context.manifests.objects == render_config(minimal()).manifests.objects


def test_secret_in_a_plain_key_is_refused_rather_than_printed():
    with pytest.raises(ConfigError) as caught:
        render_config(with_redis(), secrets={"namespace": "hunter2"})
    assert str(caught.value) == (
        f"{FILE}: namespace: is stored as a secret, but this key is written into the "
        "manifests in plain text; set it without --secret")
    assert "hunter2" not in str(caught.value)


def test_a_huge_wrong_value_is_shortened_to_keep_one_line():
    line = only_problem(with_redis(replicas="9" * 5000))
    assert line.startswith(f"{FILE}: redis.replicas: should be a valid integer (got '999")
    assert line.endswith("...)") and len(line) < 200
