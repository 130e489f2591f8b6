"""The buffer's monitoring: a redis_exporter sidecar, its Service, a ServiceMonitor, alerts.

The exporter runs in redis' pod and reaches it on localhost, so the redis
port stays closed to everyone the NetworkPolicy does not name; only the
metrics port opens, and only to the scraper's namespace. It reads the
password from the auth Secret's files, never from its environment (which
`kubectl describe` and every crash reporter show): our auth Secret's, or the
start-up step's with an existing Secret (redis/auth.py).
"""

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pulumi
from pulumi_kubernetes.core.v1 import (
    ContainerPortArgs,
    HTTPGetActionArgs,
    ProbeArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ...config.redis.model import RedisConfig
from ...config.redis.monitoring import metrics_service_name
from ..labels import WorkloadLabels
from ..pod_template import Container, Mount, Sidecar
from .alerts import WatchedList, buffer_rule_groups

if TYPE_CHECKING:
    from pulumi_kubernetes.apiextensions import CustomResource

API_VERSION = "monitoring.coreos.com/v1"
EXPORTER_PASSWORDS_FILE = "exporter-passwords.json"
"""In the auth Secret beside `password` (or the start-up step's folder):
redis_exporter's --redis.password-file is not a password but a JSON map from
each redis URI to its password."""
METRICS_PORT_NAME = "metrics"
COMPONENT_LABEL = "app.kubernetes.io/component"


def redis_uri(config: RedisConfig) -> str:
    """Where the exporter finds redis: the pod's own loopback. The exporter looks
    its password up by this exact string."""
    return f"redis://localhost:{config.container_port}"


def exporter_passwords(config: RedisConfig, password: str) -> str:
    return json.dumps({redis_uri(config): password})


def exporter_sidecar(config: RedisConfig, watched: WatchedList, run_as_user: int,
                     auth: Mount | None) -> Sidecar:
    """The exporter container. `auth` shows its password file, when auth is
    on: the folder that holds it, or the file itself (a subPath mount)."""
    monitoring = config.monitoring
    if monitoring.image is None:
        raise ValueError("redis monitoring is enabled without an exporter image")
    args = [
        f"--redis.addr={redis_uri(config)}",
        # The exporter URL-unescapes each key, and splits the list at commas.
        f"--check-single-keys=db{watched.db}={quote(watched.key, safe='')}",
        f"--web.listen-address=:{monitoring.port}",
        # /scrape would let anyone who reaches the port aim the exporter at any
        # address, with our password map in hand.
        "--disable-scrape-endpoint",
        "--redis-only-metrics",
    ]
    # A denied command the exporter sends would only log NOPERM, in redis' ACL
    # log too, on every scrape. Without CONFIG GET it loses the redis_config_*
    # metrics, which no alert reads; without CLIENT SETNAME, only its name.
    denied = set(config.denied_commands)
    if denied & {"CONFIG", "CONFIG|GET"}:
        args.append("--config-command=-")
    if denied & {"CLIENT", "CLIENT|SETNAME"}:
        args.append("--set-client-name=false")
    mounts = []
    if auth is not None:
        path = auth.mount_path if auth.sub_path else f"{auth.mount_path}/{EXPORTER_PASSWORDS_FILE}"
        args.append(f"--redis.password-file={path}")
        mounts.append(auth)
    health = HTTPGetActionArgs(path="/health", port=METRICS_PORT_NAME)
    return Sidecar(Container(
        name="redis-exporter",
        image=monitoring.image,
        image_digest=monitoring.image_digest,
        image_pull_policy=monitoring.pull_policy,
        resources=monitoring.resources,
        # redis' own user: its group reads the auth files (mode 0440, fsGroup).
        run_as_user=run_as_user,
        args=args,
        ports=[ContainerPortArgs(name=METRICS_PORT_NAME, container_port=monitoring.port)],
        readiness_probe=ProbeArgs(http_get=health, period_seconds=10, timeout_seconds=3),
        liveness_probe=ProbeArgs(http_get=health, period_seconds=20, timeout_seconds=5,
                                 failure_threshold=3),
    ), mounts)


def metrics_labels(config: RedisConfig) -> dict[str, str]:
    """What the ServiceMonitor selects the metrics Service by: the pods' selector
    and a component label, so it selects this Service and not the one filebeat
    ships to. The Service carries the recommended labels too."""
    return {**config.labels, COMPONENT_LABEL: METRICS_PORT_NAME}


def monitoring_objects(config: RedisConfig, labels: WorkloadLabels,
                       namespace: pulumi.Input[str], watched: WatchedList,
                       opts: pulumi.ResourceOptions) -> list[pulumi.CustomResource]:
    """The metrics Service, and the ServiceMonitor and PrometheusRule as asked."""
    monitoring = config.monitoring
    name = metrics_service_name(config.name)
    service = Service(
        name,
        metadata=ObjectMetaArgs(name=name, namespace=namespace,
                                labels={**labels.objects, **metrics_labels(config)}),
        spec=ServiceSpecArgs(
            type="ClusterIP",
            # Headless: Prometheus scrapes each endpoint, never the virtual IP.
            cluster_ip="None",
            selector=labels.selector,
            ports=[ServicePortArgs(name=METRICS_PORT_NAME, port=monitoring.port,
                                   target_port=METRICS_PORT_NAME, protocol="TCP")],
        ),
        opts=opts,
    )
    made: list[pulumi.CustomResource] = [service]
    # What a Prometheus picks them by (monitoring.labels) over the objects' own.
    custom_labels = {**labels.objects, **monitoring.labels}
    if monitoring.service_monitor:
        endpoint: dict[str, Any] = {"port": METRICS_PORT_NAME, "path": "/metrics"}
        if monitoring.scrape_interval_seconds is not None:
            endpoint["interval"] = f"{monitoring.scrape_interval_seconds}s"
        made.append(_custom("ServiceMonitor", config.name, namespace, custom_labels, {
            "selector": {"matchLabels": metrics_labels(config)},
            "endpoints": [endpoint],
        }, opts))
    if monitoring.rules.enabled:
        made.append(_custom("PrometheusRule", config.name, namespace, custom_labels,
                            pulumi.Output.from_input(namespace).apply(lambda ns: {
            "groups": buffer_rule_groups(config.name, ns, monitoring.rules, watched),
        }), opts))
    return made


def _custom(kind: str, name: str, namespace: pulumi.Input[str], labels: Mapping[str, str],
            spec: pulumi.Input[dict[str, Any]], opts: pulumi.ResourceOptions) -> "CustomResource":
    # Imported by the stacks that ask for the operator's objects, not by every render.
    from pulumi_kubernetes.apiextensions import CustomResource

    return CustomResource(
        name, api_version=API_VERSION, kind=kind,
        metadata=ObjectMetaArgs(name=name, namespace=namespace, labels=dict(labels)),
        spec=spec, opts=opts,
    )


def exporter_images(config: RedisConfig) -> Sequence[tuple[str, str | None]]:
    """The exporter's image and digest, when it runs, for the image waivers."""
    monitoring = config.monitoring
    if not monitoring.enabled or monitoring.image is None:
        return ()
    return ((monitoring.image, monitoring.image_digest),)
