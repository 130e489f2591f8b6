"""The redis log buffer: a locked-down Deployment, its Service, config, auth and storage."""

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    ConfigMap,
    ConfigMapVolumeSourceArgs,
    PersistentVolumeClaim,
    Secret,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
    VolumeArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

from ...config.redis.model import RedisConfig
from ..labels import WorkloadLabels
from ..pod import config_checksum, image_waivers, waiver_annotations
from ..pod_template import Mount, PodMetadata, Scheduling, pod_template
from ..scheduling import affinity_args, spread_args, tolerations_args
from .alerts import FILEBEATS_DEFAULT_LIST, WatchedList
from .auth import secret_files, secret_mounts, startup_auth
from .conf import CONFIG_DIR, CONFIG_FILE, DATA_DIR, redis_conf
from .container import PORT_NAME, REDIS_UID, redis_container
from .monitoring import (
    EXPORTER_PASSWORDS_FILE,
    exporter_images,
    exporter_sidecar,
    monitoring_objects,
)
from .network_policy import redis_network_policy
from .persistence import data_claim, data_volume, deployment_strategy


class Redis(pulumi.ComponentResource):
    """Runs redis as a log buffer and gives it a stable DNS name.

    The Deployment's and the Service's selectors and the pod template take
    their labels from one `WorkloadLabels`: the Service selects exactly the Deployment's pods.
    """

    deployment: Deployment
    service: Service
    config_map: ConfigMap
    auth_secret: Secret | None
    """The password, for redis and for any client in the namespace: key `password`.
    None with `existingSecret`: that Secret is someone else's."""
    claim: PersistentVolumeClaim | None
    """The append-only file's volume, when persistence is on."""
    host: pulumi.Output[str]
    """The Service's cluster DNS name: `<service>.<namespace>.svc.<clusterDomain>`."""
    port: pulumi.Output[int]
    """The Service port clients connect to."""

    def __init__(
        self,
        config: RedisConfig,
        namespace: pulumi.Input[str],
        cluster_domain: str,
        password: pulumi.Input[str] | None = None,
        client_labels: Mapping[str, str] | None = None,
        auth_checksum: pulumi.Input[str] | None = None,
        watched: WatchedList = FILEBEATS_DEFAULT_LIST,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`password` is required when `config.auth` is on, unless the config
        names an `existingSecret`, which it must then not be. `client_labels` are
        the pods (filebeat's) that the NetworkPolicy lets in besides `config.clients`.
        `auth_checksum` (from `secret_checksum`) rolls the pod when the password changes.
        `watched` is the list filebeat pushes to, whose length monitoring exports."""
        super().__init__("redis-filebeat:components:Redis", config.name, None, opts)
        if config.auth and (password is None) == (config.existing_secret is None):
            raise ValueError("redis auth is on: give a password or an existingSecret, "
                             "not both or neither")
        child = pulumi.ResourceOptions(parent=self)
        labels = WorkloadLabels.of(config)
        metadata: dict[str, Any] = {"namespace": namespace, "labels": labels.objects}

        conf = {CONFIG_FILE: redis_conf(config)}
        self.config_map = ConfigMap(
            config.config_map_name,
            metadata=ObjectMetaArgs(name=config.config_map_name, **metadata),
            data=conf, opts=child,
        )
        self.auth_secret = None
        if config.auth and password is not None:
            self.auth_secret = Secret(
                config.auth_secret_name,
                metadata=ObjectMetaArgs(name=config.auth_secret_name, **metadata),
                type="Opaque",
                string_data=pulumi.Output.secret(password).apply(
                    lambda given: secret_files(config, given)),
                opts=child,
            )

        # By name, ordered by depends_on: their outputs inside `spec` would make
        # the engine re-create the Deployment whenever Pulumi replaces one of
        # them (node_daemon/component.py says why).
        self.claim = data_claim(config, metadata, child)
        mounts = [
            Mount(VolumeArgs(name="config", config_map=ConfigMapVolumeSourceArgs(
                name=config.config_map_name)), CONFIG_DIR),
            Mount(data_volume(config), DATA_DIR, read_only=None),
        ]
        auth_mounts: list[Mount] = []
        startup = startup_auth(config, REDIS_UID)
        if startup is not None:
            auth_mounts = [startup.files]
        elif self.auth_secret is not None:
            auth_mounts = secret_mounts(config)
        mounts += auth_mounts
        exporter_auth = next((m for m in auth_mounts if m.sub_path in (
            None, EXPORTER_PASSWORDS_FILE)), None)
        sidecars = [exporter_sidecar(config, watched, REDIS_UID, exporter_auth)] \
            if config.monitoring.enabled else []
        read = [self.config_map, *(r for r in (self.auth_secret, self.claim) if r)]
        self.deployment = Deployment(
            config.name,
            metadata=ObjectMetaArgs(
                name=config.name, **metadata,
                annotations=waiver_annotations(sorted({waiver for image, digest in (
                    (config.image, config.image_digest), *exporter_images(config))
                    for waiver in image_waivers(image, digest)})) or None,
            ),
            spec=DeploymentSpecArgs(
                replicas=config.replicas,
                selector=LabelSelectorArgs(match_labels=labels.selector),
                strategy=deployment_strategy(config),
                template=pod_template(labels.pods, redis_container(config), mounts,
                                      checksum=config_checksum(conf),
                                      auth_checksum=auth_checksum,
                                      auth_version=config.existing_secret.version
                                      if config.existing_secret else None,
                                      fs_group=REDIS_UID,
                                      scheduling=_scheduling(config),
                                      extra=PodMetadata.of(config),
                                      sidecars=sidecars,
                                      init_containers=[startup.init_container]
                                      if startup else ()),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=read),
        )
        self.service = Service(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, **metadata),
            spec=ServiceSpecArgs(
                type="ClusterIP",
                selector=labels.selector,
                ports=[ServicePortArgs(
                    name=PORT_NAME,
                    port=config.port,
                    target_port=config.container_port,
                    protocol="TCP",
                )],
            ),
            opts=child,
        )
        if config.network_policy:
            redis_network_policy(config, labels, namespace, client_labels or {}, child)
        if config.monitoring.enabled:
            monitoring_objects(config, labels, namespace, watched, child)
        # From config and the namespace alone: a client that waits for redis
        # says so with depends_on (Filebeat's wait_for), as an output of the
        # Deployment here would make the engine re-create the client with it.
        self.host = pulumi.Output.from_input(namespace).apply(
            lambda ns: f"{config.name}.{ns}.svc.{cluster_domain}")
        self.port = pulumi.Output.from_input(config.port)
        self.register_outputs({"host": self.host, "port": self.port})

def _scheduling(config: RedisConfig) -> Scheduling:
    return Scheduling(
        node_selector=config.node_selector,
        affinity=affinity_args(config.node_affinity),
        tolerations=tolerations_args(config.tolerations) or None,
        priority_class_name=config.priority_class_name,
        topology_spread_constraints=spread_args(config.topology_spread_constraints,
                                                config.labels),
    )
