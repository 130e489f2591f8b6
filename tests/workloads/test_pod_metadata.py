"""What both workloads' pods take from the stack beyond their container:
image pull secrets, pod labels and annotations, and the pull policy a pinned
image gets. Each test runs for redis and for filebeat."""

import pytest
from kubernetes_validate.utils import validate

from tests.configs import minimal, refused, render_config
from tests.kube_schema import OLDEST_AND_NEWEST

DIGEST = "sha256:" + "ab" * 32
WORKLOADS = {"redis": ("Deployment", "redis"), "filebeat": ("DaemonSet", "filebeat")}


def recommended(workload: str) -> dict[str, str]:
    """Kubernetes' recommended labels, as the test kit's stack `test` renders them."""
    return {"app.kubernetes.io/name": workload, "app.kubernetes.io/instance": "test",
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "redis-filebeat"}


def with_(workload: str, **fields) -> dict:
    config = minimal()
    config[workload].update(fields)
    return config


def pod(config: dict, workload: str) -> dict:
    kind, name = WORKLOADS[workload]
    return render_config(config).manifests[kind][name]["spec"]["template"]


def container(config: dict, workload: str) -> dict:
    return pod(config, workload)["spec"]["containers"][0]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_defaults(workload):
    template = pod(minimal(), workload)
    assert "imagePullSecrets" not in template["spec"]
    assert template["metadata"]["labels"] == recommended(workload)
    assert all(k.startswith("checksum/") for k in template["metadata"]["annotations"])
    # An unpinned tag: Kubernetes' own default applies.
    assert "imagePullPolicy" not in template["spec"]["containers"][0]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_adding_image_pull_secrets(workload):
    template = pod(with_(workload, imagePullSecrets=["registry-a", "registry-b"]), workload)
    assert template["spec"]["imagePullSecrets"] == [{"name": "registry-a"},
                                                    {"name": "registry-b"}]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_adding_pod_labels_keeps_the_selector(workload):
    kind, name = WORKLOADS[workload]
    out = render_config(with_(workload, podLabels={"team": "logs"})).manifests
    workload_object = out[kind][name]
    assert workload_object["spec"]["template"]["metadata"]["labels"] == {
        **recommended(workload), "team": "logs"}
    assert workload_object["spec"]["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": workload}}
    assert "team" not in workload_object["metadata"]["labels"]
    if workload == "redis":
        assert out["Service"]["redis"]["spec"]["selector"] == {
            "app.kubernetes.io/name": "redis"}


@pytest.mark.parametrize("workload", WORKLOADS)
def test_adding_pod_annotations(workload):
    annotations = {"example.com/owner": "logs", "sidecar.istio.io/inject": "false"}
    metadata = pod(with_(workload, podAnnotations=annotations), workload)["metadata"]
    assert metadata["annotations"].items() >= annotations.items()
    assert {k for k in metadata["annotations"] if k.startswith("checksum/")} == {
        "checksum/config", "checksum/redis-auth"}


@pytest.mark.parametrize("workload", WORKLOADS)
@pytest.mark.parametrize("pin", [{"imageDigest": DIGEST}, "image"])
def test_a_pinned_image_defaults_to_if_not_present(workload, pin):
    image = minimal()[workload]["image"]
    fields = pin if isinstance(pin, dict) else {"image": f"{image}@{DIGEST}"}
    assert container(with_(workload, **fields), workload)["imagePullPolicy"] == "IfNotPresent"


@pytest.mark.parametrize("workload", WORKLOADS)
def test_always_stays_an_explicit_choice_when_pinned(workload):
    config = with_(workload, imageDigest=DIGEST, imagePullPolicy="Always")
    assert container(config, workload)["imagePullPolicy"] == "Always"


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
def test_everything_renders_valid_manifests(version):
    fields = {"imagePullSecrets": ["registry"], "podLabels": {"team": "logs"},
              "podAnnotations": {"example.com/owner": "logs"}, "imageDigest": DIGEST}
    config = minimal()
    for workload in WORKLOADS:
        config[workload].update(fields)
    for manifest in render_config(config).manifests.objects:
        validate(manifest.body, version, strict=True)


FILE = "<render_config>"


@pytest.mark.parametrize(("config", "message"), [
    (with_("redis", podLabels={"app.kubernetes.io/name": "x"}),
     "redis.podLabels.app.kubernetes.io/name: is a key of both podLabels and labels, the "
     "selector"),
    (with_("filebeat", podLabels={"node-class": "x"}),
     "filebeat.podLabels.node-class: is the label that keeps node classes' selectors apart"),
    (with_("filebeat", podLabels={"bad key": "x"}),
     "filebeat.podLabels: label key 'bad key' is invalid"),
    (with_("redis", podAnnotations={"checksum/config": "x"}),
     "redis.podAnnotations.checksum/config: is written by the stack itself"),
    (with_("filebeat", podAnnotations={"bad key": "x"}),
     "filebeat.podAnnotations: annotation key 'bad key' is invalid"),
    (with_("redis", podAnnotations={"a": "x" * 300_000}),
     "redis.podAnnotations: hold 300001 bytes; Kubernetes refuses more than 256 KiB"),
    (with_("redis", imagePullSecrets=["Registry"]),
     "redis.imagePullSecrets[0]: 'Registry' is not a DNS-1123 subdomain"),
    (with_("filebeat", imagePullSecrets=["a", "a"]),
     "filebeat.imagePullSecrets: names a Secret twice"),
    # filebeat's pods would carry redis' selector: the redis Service would
    # send traffic to them.
    (with_("filebeat", labels={"app": "filebeat"},
           podLabels={"app.kubernetes.io/name": "redis"}),
     "filebeat.podLabels: filebeat.podLabels overlaps redis.labels"),
    (with_("redis", labels={"app": "redis"}, podLabels={"app.kubernetes.io/name": "filebeat"}),
     "redis.podLabels: redis.podLabels overlaps filebeat.labels"),
])
def test_rule(config, message):
    (line,) = refused(config)
    assert line.startswith(f"{FILE}: {message}"), line
