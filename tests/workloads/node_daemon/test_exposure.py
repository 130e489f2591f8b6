"""The tutorial's four ways to reach a daemon, each a typed option."""

import pytest
from kubernetes_validate.utils import validate

from tests.configs import refused, render_config, with_filebeat
from tests.kube_schema import OLDEST_AND_NEWEST

METRICS = [{"name": "metrics", "containerPort": 5066}]


def render(expose: str, ports=METRICS):
    return render_config(with_filebeat(expose=expose, ports=ports)).manifests


def daemon_container(manifests) -> dict:
    return manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]["containers"][0]


def test_push_is_the_default_and_has_no_service():
    manifests = render_config(with_filebeat()).manifests
    assert set(manifests["Service"]) == {"redis"}
    assert "ports" not in daemon_container(manifests)


def test_push_with_ports_still_has_no_service():
    manifests = render("push")
    assert set(manifests["Service"]) == {"redis"}
    assert daemon_container(manifests)["ports"] == [
        {"name": "metrics", "containerPort": 5066, "protocol": "TCP"}]


def test_host_port_puts_every_port_on_the_node():
    manifests = render("hostPort", ports=METRICS + [
        {"name": "syslog", "containerPort": 514, "hostPort": 1514, "protocol": "UDP"}])
    assert set(manifests["Service"]) == {"redis"}
    assert daemon_container(manifests)["ports"] == [
        {"name": "metrics", "containerPort": 5066, "hostPort": 5066, "protocol": "TCP"},
        {"name": "syslog", "containerPort": 514, "hostPort": 1514, "protocol": "UDP"},
    ]


@pytest.mark.parametrize(("expose", "cluster_ip"), [("headless", "None"), ("service", None)])
def test_services_select_exactly_the_daemon_pods(expose, cluster_ip):
    manifests = render(expose)
    service = manifests["Service"]["filebeat"]
    daemon_set = manifests["DaemonSet"]["filebeat"]
    pod_labels = daemon_set["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"] == daemon_set["spec"]["selector"]["matchLabels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"].get("clusterIP") == cluster_ip
    assert service["spec"]["ports"] == [
        {"name": "metrics", "port": 5066, "targetPort": "metrics", "protocol": "TCP"}]
    assert "hostPort" not in daemon_container(manifests)["ports"][0]


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
@pytest.mark.parametrize("expose", ["push", "hostPort", "headless", "service"])
def test_every_pattern_renders_valid_manifests(expose, version):
    manifests = render(expose)
    for manifest in manifests.objects:
        validate(manifest.body, version, strict=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"expose": "headless"}, "filebeat.expose: expose headless needs at least one entry in ports"),
    ({"expose": "service", "name": "9beat", "ports": METRICS},
     "filebeat.expose: expose service names a Service after the daemon, and name '9beat' is "
     "not a valid Service name"),
    ({"expose": "nodePort", "ports": METRICS},
     "filebeat.expose: must be 'push', 'hostPort', 'headless' or 'service'"),
    ({"ports": [{"name": "metrics-port-long", "containerPort": 1}]},
     "filebeat.ports[0].name: 'metrics-port-long' is not a valid port name"),
    ({"expose": "hostPort", "ports": METRICS, "registryHostPath": None,
      "updateStrategy": {"maxUnavailable": 0, "maxSurge": 1}},
     "filebeat.updateStrategy.maxSurge: updateStrategy.maxSurge cannot be combined with "
     "ports[].hostPort (5066)"),
])
def test_rule(fields, message):
    assert refused(with_filebeat(**fields))[0].startswith(f"<render_config>: {message}")
