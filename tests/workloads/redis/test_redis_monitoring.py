"""redis.monitoring: the exporter sidecar, its Service, the ServiceMonitor, the alerts.

Defaults first (all of it off), then one setting per test, then each refusal.
"""

import json

import pytest

from components.workloads.redis.monitoring import exporter_passwords
from tests.configs import minimal, refused, render_config, stack_config, with_redis
from tests.kube_schema import ValidationError, validate

EXPORTER = "oliver006/redis_exporter:v1.88.0"
DIGEST = "sha256:" + "ab" * 32
LIMITED = {"limits": {"memory": "256Mi"}}


def monitored(**monitoring) -> dict:
    fields = {"enabled": True, "image": EXPORTER, "scraperNamespace": "monitoring"}
    return with_redis(resources=LIMITED, monitoring=fields | monitoring)


def pod_spec(manifests) -> dict:
    return manifests["Deployment"]["redis"]["spec"]["template"]["spec"]


def test_defaults_monitor_nothing():
    manifests = render_config(minimal()).manifests
    assert [c["name"] for c in pod_spec(manifests)["containers"]] == ["redis"]
    assert set(manifests["Service"]) == {"redis"}
    assert "ServiceMonitor" not in manifests and "PrometheusRule" not in manifests
    assert len(manifests["NetworkPolicy"]["redis"]["spec"]["ingress"]) == 1
    assert set(manifests["Secret"]["redis-auth"]["stringData"]) == {"password", "auth.conf"}


def test_adding_monitoring_runs_a_locked_down_exporter_beside_redis():
    manifests = render_config(monitored()).manifests
    redis, exporter = pod_spec(manifests)["containers"]
    assert redis["name"] == "redis"
    assert exporter == {
        "name": "redis-exporter",
        "image": EXPORTER,
        "args": ["--redis.addr=redis://localhost:6379", "--check-single-keys=db0=filebeat",
                 "--web.listen-address=:9121", "--disable-scrape-endpoint",
                 "--redis-only-metrics", "--config-command=-",
                 "--redis.password-file=/etc/redis-auth/exporter-passwords.json"],
        "ports": [{"name": "metrics", "containerPort": 9121}],
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"},
                      "limits": {"cpu": "100m", "memory": "64Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False, "privileged": False,
            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
            "runAsUser": 10001, "runAsNonRoot": True},
        "volumeMounts": [{"name": "auth", "mountPath": "/etc/redis-auth/exporter-passwords.json",
                          "readOnly": True, "subPath": "exporter-passwords.json"}],
        "readinessProbe": {"httpGet": {"path": "/health", "port": "metrics"},
                           "periodSeconds": 10, "timeoutSeconds": 3},
        "livenessProbe": {"httpGet": {"path": "/health", "port": "metrics"},
                          "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3},
    }
    assert "env" not in exporter, "the password comes from the mounted file, never env"
    # The auth volume is the pod's once, though both containers mount it.
    assert [v["name"] for v in pod_spec(manifests)["volumes"]] == ["config", "data", "auth"]
    assert set(manifests["Secret"]["redis-auth"]["stringData"]) == {
        "password", "auth.conf", "exporter-passwords.json"}


def test_the_password_file_is_the_map_the_exporter_reads():
    config = stack_config(monitored()).redis
    assert json.loads(exporter_passwords(config, 'pa"ss')) == {
        "redis://localhost:6379": 'pa"ss'}


def test_the_metrics_service_and_the_service_monitor():
    manifests = render_config(monitored(labels={"release": "prom"})).manifests
    service = manifests["Service"]["redis-metrics"]
    recommended = {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "test",
                   "app.kubernetes.io/managed-by": "pulumi",
                   "app.kubernetes.io/part-of": "redis-filebeat"}
    assert service["metadata"]["labels"] == {
        **recommended, "app.kubernetes.io/component": "metrics"}
    assert service["spec"] == {
        "type": "ClusterIP", "clusterIP": "None",
        "selector": {"app.kubernetes.io/name": "redis"},
        "ports": [{"name": "metrics", "port": 9121, "targetPort": "metrics",
                   "protocol": "TCP"}]}
    monitor = manifests["ServiceMonitor"]["redis"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"] == {**recommended, "release": "prom"}
    assert monitor["metadata"]["annotations"] == {"pulumi.com/patchForce": "true"}
    # The selector as before the recommended labels: the Service's own, less those.
    assert monitor["spec"] == {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "redis",
                                     "app.kubernetes.io/component": "metrics"}},
        "endpoints": [{"port": "metrics", "path": "/metrics"}]}
    assert manifests["PrometheusRule"]["redis"]["metadata"]["labels"] == {
        **recommended, "release": "prom"}


def test_adding_a_scrape_interval():
    manifests = render_config(monitored(scrapeIntervalSeconds=15)).manifests
    assert manifests["ServiceMonitor"]["redis"]["spec"]["endpoints"][0]["interval"] == "15s"


def test_the_metrics_port_opens_to_the_scraper_namespace_only():
    ingress = render_config(monitored()).manifests["NetworkPolicy"]["redis"]["spec"]["ingress"]
    assert ingress[0]["ports"] == [{"port": 6379, "protocol": "TCP"}]
    assert ingress[1] == {
        "from": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "monitoring"}}}],
        "ports": [{"port": 9121, "protocol": "TCP"}]}


def test_without_auth_no_password_file():
    config = monitored()
    config["redis"]["auth"] = False
    (_, exporter) = pod_spec(render_config(config).manifests)["containers"]
    assert not any(a.startswith("--redis.password-file") for a in exporter["args"])
    assert "volumeMounts" not in exporter


def test_the_list_filebeat_writes_is_the_one_watched():
    config = monitored()
    config["filebeat"]["output"] = {"key": "logs,k8s+x", "db": 3}
    manifests = render_config(config).manifests
    (_, exporter) = pod_spec(manifests)["containers"]
    # Quoted: the exporter splits at commas and URL-unescapes each key.
    assert "--check-single-keys=db3=logs%2Ck8s%2Bx" in exporter["args"]
    rules = manifests["PrometheusRule"]["redis"]["spec"]["groups"][0]["rules"]
    growing = next(r for r in rules if r["alert"] == "RedisBufferGrowing")
    assert 'db="db3",key="logs,k8s+x"' in growing["expr"]


@pytest.mark.parametrize(("digests", "waived"), [
    ({}, True), ({"redis": DIGEST}, True), ({"exporter": DIGEST}, True),
    ({"redis": DIGEST, "exporter": DIGEST}, False)])
def test_the_unpinned_image_waiver_goes_with_the_last_unpinned_image(digests, waived):
    config = monitored(**({"imageDigest": digests["exporter"]} if "exporter" in digests else {}))
    if "redis" in digests:
        config["redis"]["imageDigest"] = digests["redis"]
    manifests = render_config(config).manifests
    annotations = manifests["Deployment"]["redis"]["metadata"]["annotations"]
    assert ("checkov.io/skip1" in annotations) is waived
    assert "checkov.io/skip2" not in annotations
    (_, exporter) = pod_spec(manifests)["containers"]
    assert exporter["image"] == (f"{EXPORTER}@{DIGEST}" if "exporter" in digests else EXPORTER)


@pytest.mark.parametrize(("fields", "policy"), [
    ({}, None),
    ({"imageDigest": DIGEST}, "IfNotPresent"),
    ({"image": f"{EXPORTER}@{DIGEST}"}, "IfNotPresent"),
    ({"imageDigest": DIGEST, "imagePullPolicy": "Always"}, "Always"),
])
def test_the_exporter_pulls_by_the_workloads_rule(fields, policy):
    exporter = pod_spec(render_config(monitored(**fields)).manifests)["containers"][1]
    assert exporter.get("imagePullPolicy") == policy


def test_without_service_monitor_or_rules():
    manifests = render_config(monitored(serviceMonitor=False, rules={"enabled": False})).manifests
    assert "ServiceMonitor" not in manifests and "PrometheusRule" not in manifests
    assert set(manifests["Service"]) == {"redis", "redis-metrics"}


def test_every_object_fits_its_schema_or_crd():
    for manifest in render_config(monitored(scrapeIntervalSeconds=30)).manifests.objects:
        validate(manifest.body)


def test_the_crd_check_can_fail():
    monitor = render_config(monitored()).manifests["ServiceMonitor"]["redis"]
    monitor["spec"]["endpoints"][0]["prot"] = monitor["spec"]["endpoints"][0].pop("port")
    with pytest.raises(ValidationError):
        validate(monitor)


def test_monitoring_is_off_by_default_in_every_stack_but_prod():
    from components.render.renderer import find_stack_file, render_stack_file
    prod = render_stack_file(find_stack_file("prod")).manifests
    assert set(prod["ServiceMonitor"]) == set(prod["PrometheusRule"]) == {"redis"}
    dev = render_stack_file(find_stack_file("dev")).manifests
    assert "ServiceMonitor" not in dev


@pytest.mark.parametrize(("config", "message"), [
    (with_redis(resources=LIMITED, monitoring={"enabled": True, "scraperNamespace": "m"}),
     "redis.monitoring.image: monitoring.image is required when monitoring is enabled"),
    (monitored(scraperNamespace=None),
     "redis.monitoring.scraperNamespace: monitoring.scraperNamespace is required when "
     "monitoring is enabled and networkPolicy is on"),
    (with_redis(monitoring={"enabled": True, "image": EXPORTER, "scraperNamespace": "m"}),
     "redis.monitoring.rules: monitoring.rules need a maxmemory"),
    (monitored(port=6379), "redis.monitoring.port: monitoring.port (6379) is containerPort's too"),
    (monitored(serviceMonitor=False),
     "redis.monitoring.serviceMonitor: serviceMonitor must be true while rules are enabled"),
    (monitored(image=f"{EXPORTER}@{DIGEST}", imageDigest=DIGEST),
     "redis.monitoring.imageDigest:"),
    (monitored(rules={"memoryFraction": 1}), "redis.monitoring.rules.memoryFraction:"),
    (monitored(rules={"growingForMinutes": 0}), "redis.monitoring.rules.growingForMinutes:"),
    ({**monitored(), "filebeat": {**minimal()["filebeat"], "output": {"datatype": "channel"}}},
     "redis.monitoring.enabled: redis.monitoring.enabled needs filebeat.output.datatype list"),
])
def test_refused(config, message):
    lines = refused(config)
    assert any(line.startswith(f"<render_config>: {message}") for line in lines), lines


def test_off_needs_nothing():
    render_config(with_redis(monitoring={"enabled": False, "scraperNamespace": None}))
    render_config(with_redis(networkPolicy=False, resources=LIMITED, monitoring={
        "enabled": True, "image": EXPORTER}))
