"""Every rule that compares two keys, one case each: an override of the
other key is blamed, and the line reads right after it. The mechanism is in
test_blame.py."""

import json

import pytest

from tests.cli import cli

EXPORTER = {"enabled": True, "image": "oliver006/redis_exporter:v1.88.0",
            "scraperNamespace": "monitoring", "rules": {"enabled": False}}
PORTS = [{"name": "http", "containerPort": 5066}]
SURGE = {"updateStrategy": {"maxUnavailable": 0, "maxSurge": 1}, "registryHostPath": None}
DIGEST = "sha256:" + "a" * 64


def stack(redis=None, filebeat=None, **top) -> dict:
    """A stack that renders, with what a case adds to it."""
    return {"redis": {"image": "redis:7", "auth": False, **(redis or {})},
            "filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3", **(filebeat or {})},
            **top}


# Each case: a stack that renders, an override of a key a rule compares with
# another, and what the line says after the override: the key it set, then
# words that read right after either key.
OTHER_KEY_CASES = [
    pytest.param(stack({"maxmemory": "100Mi", "resources": {"limits": {"memory": "256Mi"}}}),
                 "redis.resources.limits.memory=64Mi",
                 "redis.resources.limits.memory: maxmemory (100Mi) must be below "
                 "resources.limits.memory (64Mi)", id="maxmemory-limit"),
    pytest.param(stack({"persistence": {"enabled": True}, "maxmemory": "256Mi"}),
                 "redis.maxmemory=600Mi",
                 "redis.maxmemory: persistence.size (1Gi) must be at least twice maxmemory "
                 "(600Mi)", id="claim-maxmemory"),
    pytest.param(stack({"persistence": {"enabled": True}}),
                 "redis.resources.limits.memory=2Gi",
                 "redis.resources.limits.memory: persistence.size (1Gi) must be at least "
                 "twice maxmemory (1536Mi, 75% of resources.limits.memory)", id="claim-limit"),
    pytest.param(stack({"maxmemory": "600Mi", "persistence": {"size": "1Gi"}}),
                 "redis.persistence.enabled=true",
                 "redis.persistence.enabled: persistence.size (1Gi) must be at least twice",
                 id="claim-enabled"),
    pytest.param(stack({"deniedCommands": ["TYPE"], "monitoring": {**EXPORTER, "enabled": False}}),
                 "redis.monitoring.enabled=true",
                 "redis.monitoring.enabled: deniedCommands must not deny TYPE: the exporter",
                 id="denial-exporter"),
    pytest.param(stack(), "redis.image=redis:6.2",
                 "redis.image: deniedCommands needs redis 7 or later", id="denial-image"),
    pytest.param(stack({"networkPolicy": False,
                        "monitoring": {**EXPORTER, "scraperNamespace": None}}),
                 "redis.networkPolicy=true",
                 "redis.networkPolicy: monitoring.scraperNamespace is required when monitoring "
                 "is enabled and networkPolicy is on", id="scraper-policy"),
    pytest.param(stack({"resources": {"limits": {"memory": "128Mi"}},
                        "monitoring": {**EXPORTER, "rules": {}}}),
                 "redis.resources.limits.memory=null",
                 "redis.resources.limits.memory: monitoring.rules need a maxmemory",
                 id="rules-limit"),
    pytest.param(stack({"monitoring": EXPORTER}), "redis.containerPort=9121",
                 "redis.containerPort: monitoring.port (9121) is containerPort's too",
                 id="exporter-port"),
    pytest.param(stack({"persistence": {"enabled": True,
                                        "snapshots": [{"afterSeconds": 900, "changes": 1}]}}),
                 "redis.persistence.enabled=false",
                 "redis.persistence.enabled: snapshots need enabled true", id="snapshots"),
    pytest.param(stack({"persistence": {"enabled": True, "existingClaim": "data"}}),
                 "redis.persistence.enabled=false",
                 "redis.persistence.enabled: existingClaim needs enabled true", id="claim-mount"),
    pytest.param(stack({"persistence": {"enabled": True, "size": "2Gi"}}),
                 "redis.persistence.existingClaim=data",
                 "redis.persistence.existingClaim: size is the claim's own, and existingClaim",
                 id="claim-owner"),
    pytest.param(stack({"monitoring": {"scraperNamespace": "monitoring"}}),
                 "redis.monitoring.enabled=true",
                 "redis.monitoring.enabled: monitoring.image is required when monitoring is "
                 "enabled", id="exporter-image"),
    pytest.param(stack({"resources": {"limits": {"memory": "128Mi"}},
                        "monitoring": {**EXPORTER, "serviceMonitor": False}}),
                 "redis.monitoring.rules.enabled=true",
                 "redis.monitoring.rules.enabled: serviceMonitor must be true while rules are "
                 "enabled", id="service-monitor"),
    pytest.param(stack({"monitoring": {"image": "oliver006/redis_exporter:v1.88.0",
                                       "imageDigest": DIGEST}}),
                 f"redis.monitoring.image=oliver006/redis_exporter@{DIGEST}",
                 "redis.monitoring.image: imageDigest is set, but image already names a digest",
                 id="exporter-digest"),
    pytest.param(stack(filebeat={"imageDigest": DIGEST}),
                 f"filebeat.image=docker.elastic.co/beats/filebeat:8.15.3@{DIGEST}",
                 "filebeat.image: imageDigest is set, but image already names a digest",
                 id="digest"),
    pytest.param(stack(filebeat={"generateConfig": False, "configFiles": {"filebeat.yml": "x"}}),
                 "filebeat.generateConfig=true",
                 "filebeat.generateConfig: configFiles holds filebeat.yml, which generateConfig "
                 "writes", id="config-file"),
    pytest.param(stack(filebeat={"generateConfig": False, "args": ["-c", "/etc/fb/mine.yml"]}),
                 "filebeat.generateConfig=true",
                 "filebeat.generateConfig: args must not pass -c", id="args"),
    pytest.param(stack(filebeat={"containerLogs": {"paths": ["/var/log/containers/*.log"]}}),
                 "filebeat.containerLogs.hostPaths=[/var/lib/docker/containers]",
                 "filebeat.containerLogs.hostPaths: containerLogs.paths has "
                 "'/var/log/containers/*.log', which is not under", id="log-paths"),
    pytest.param(stack(filebeat={"generateConfig": False,
                                 "containerLogs": {"paths": ["/srv/app/*.log"]}}),
                 "filebeat.generateConfig=true",
                 "filebeat.generateConfig: containerLogs.paths has '/srv/app/*.log'",
                 id="log-paths-generate"),
    pytest.param(stack(filebeat={"containerLogs": {
                     "rotatedLogs": True, "paths": ["/var/lib/docker/containers/*/*.log"]}}),
                 "filebeat.containerLogs.hostPaths=[/var/lib/docker/containers]",
                 "filebeat.containerLogs.hostPaths: containerLogs.rotatedLogs reads "
                 "/var/log/pods, which is not under", id="rotated-logs"),
    pytest.param(stack(filebeat={"hostPaths": [{"name": "app", "path": "/srv/app"}],
                                 "extraInputs": [{"id": "app", "paths": ["/srv/app/*.log"]}]}),
                 "filebeat.hostPaths=[]",
                 "filebeat.hostPaths: extraInputs[0].paths has '/srv/app/*.log', which is not "
                 "under", id="extra-input-paths"),
    pytest.param(stack(), "filebeat.hostPaths=[{name: var-log, path: /srv}]",
                 "filebeat.hostPaths: two mounts would share the volume name 'var-log'",
                 id="volume-names"),
    pytest.param(stack(filebeat={"generateConfig": False,
                                 "registryHostPath": "/var/log/filebeat-registry"}),
                 "filebeat.generateConfig=true",
                 "filebeat.generateConfig: the registry /var/log/filebeat-registry lies inside "
                 "/var/log", id="registry"),
    pytest.param(stack(filebeat={"expose": "service", "ports": PORTS}), "filebeat.ports=[]",
                 "filebeat.ports: expose service needs at least one entry in ports",
                 id="expose-ports"),
    pytest.param(stack(filebeat={"expose": "service", "ports": PORTS}), "filebeat.name=9fb",
                 "filebeat.name: expose service names a Service after the daemon, and name "
                 "'9fb'", id="expose-name"),
    pytest.param(stack(filebeat={**SURGE, "ports": PORTS}), "filebeat.expose=hostPort",
                 "filebeat.expose: updateStrategy.maxSurge cannot be combined with "
                 "ports[].hostPort (5066)", id="surge-host-port"),
    pytest.param(stack(filebeat=SURGE), "filebeat.registryHostPath=/var/lib/redis-filebeat/x",
                 "filebeat.registryHostPath: updateStrategy.maxSurge cannot be used with "
                 "registryHostPath (/var/lib/redis-filebeat/x)", id="surge-registry"),
    pytest.param(stack(filebeat={"nodeClasses": {"gpu": {"nodeSelector": {"pool": "gpu"}}}}),
                 "filebeat.name=" + "f" * 60,
                 "filebeat.name: the DaemonSet name '" + "f" * 60 + "-gpu' is longer",
                 id="class-name"),
    pytest.param(stack(filebeat={"rolloutTimeoutSeconds": 300}),
                 "filebeat.updateStrategy.type=OnDelete",
                 "filebeat.updateStrategy.type: rolloutTimeoutSeconds does nothing with "
                 "updateStrategy OnDelete", id="rollout-timeout"),
    pytest.param(stack(filebeat={"podLabels": {"tier": "logs"}}), "filebeat.labels.tier=x",
                 "filebeat.labels.tier: is a key of both podLabels and labels", id="pod-labels"),
    pytest.param(stack({"resources": {"requests": {"memory": "100Mi"},
                                      "limits": {"memory": "128Mi"}}}),
                 "redis.resources.limits.memory=64Mi",
                 "redis.resources.limits.memory: requests.memory (100Mi) is more than "
                 "limits.memory (64Mi)", id="requests"),
    pytest.param(stack({"auth": True, "existingSecret": {"name": "redis-pw"}}),
                 "redis.auth=false",
                 "redis.auth: redis.existingSecret is set, but redis.auth is false",
                 id="existing-secret-auth"),
    pytest.param(stack({"auth": True, "existingSecret": {"name": "redis-pw"}}),
                 "redisPassword={secure: v1:abc}",
                 "redisPassword: redis.existingSecret is set, and so is redisPassword",
                 id="existing-secret-password"),
    pytest.param(stack({"auth": True}, redisPassword={"secure": "v1:abc"}), "redis.auth=false",
                 "redis.auth: redisPassword is set, but redis.auth is false",
                 id="password-auth"),
    pytest.param(stack(namespace="logging", createNamespace=True), "namespace=kube-system",
                 "namespace: createNamespace is true but namespace 'kube-system' is built in",
                 id="create-namespace"),
    pytest.param(stack(filebeat={"name": "a"}), "redis.name=a-redis",
                 "redis.name: filebeat.name 'a' would name a Secret 'a-redis-auth', which "
                 "redis.name 'a-redis' names", id="object-names"),
    pytest.param(stack({"name": "a", "monitoring": {**EXPORTER, "enabled": False}},
                       {"name": "a-metrics"}), "redis.monitoring.enabled=true",
                 "redis.monitoring.enabled: filebeat.name 'a-metrics' would name a Service "
                 "'a-metrics', which redis.name 'a' names the same for monitoring, as "
                 "redis.monitoring.enabled is true; choose another name",
                 id="object-names-monitoring"),
    pytest.param(stack({"labels": {"app.kubernetes.io/name": "fb"}}, {"labels": {"app": "f"}}),
                 "filebeat.name=fb",
                 "filebeat.name: redis.labels overlaps the app.kubernetes.io/ labels of "
                 "filebeat's pods (app.kubernetes.io/name is filebeat.name)", id="selector-name"),
    pytest.param(stack({"monitoring": EXPORTER}), "filebeat.output.datatype=channel",
                 "filebeat.output.datatype: redis.monitoring.enabled needs "
                 "filebeat.output.datatype list", id="monitoring-datatype"),
    pytest.param(stack({"deniedCommands": ["PUBLISH"]}), "filebeat.output.datatype=channel",
                 "filebeat.output.datatype: deniedCommands must not deny PUBLISH",
                 id="denial-datatype"),
]


@pytest.mark.parametrize(("config", "override", "line"), OTHER_KEY_CASES)
def test_a_rule_names_the_other_key_when_the_set_changed_only_that(
        tmp_path, config, override, line):
    result = render(tmp_path, config, override)
    assert result.returncode == 2, result.stdout
    first = result.stderr.splitlines()[0]
    # A long --set is cut in the line, after its first 60 characters at least.
    assert first.startswith(f"--set {override}"[:60]), result.stderr
    assert f": {line}" in first, result.stderr


# An override below a mapping the rule compares: the line names the mapping,
# from the stack file with the override.
WITH_CASES = [
    pytest.param(stack(filebeat={"nodeSelector": {"zone": "c"}, "nodeClasses": {
                     "a": {"nodeSelector": {"zone": "a"}}, "b": {"nodeSelector": {"type": "b"}}}}),
                 "filebeat.nodeSelector.zone=a",
                 "filebeat.nodeSelector: nodeClasses a and b could select the same node",
                 id="node-classes"),
    pytest.param(stack({"labels": {"app": "r"}}, {"labels": {"app": "f"}}), "redis.labels.app=f",
                 "redis.labels: filebeat.labels overlaps redis.labels", id="selectors"),
]


@pytest.mark.parametrize(("config", "override", "line"), WITH_CASES)
def test_a_rule_names_the_mapping_the_set_changed_below(tmp_path, config, override, line):
    result = render(tmp_path, config, override)
    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines()[0].startswith(
        f"{tmp_path / 'Pulumi.x.yaml'} with --set {override}: {line}"), result.stderr


def render(tmp_path, config: dict, override: str):
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(json.dumps({"config": {f"redis-filebeat:{key}": value
                                           for key, value in config.items()}}))
    return cli("render", "--config", str(path), "--set", override)
