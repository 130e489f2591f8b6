"""One pod template builder for every workload of ours, Deployment and DaemonSet alike.

What all our pods share is decided here once: a restart policy of Always,
no Service links in the environment, an API token only for a pod with a
service account, the security contexts, a pinned image, and the config
checksum that rolls the pods when their config changes. A workload says only
what is its own: its container, its volumes and where it may be scheduled.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_kubernetes.core.v1 import (
    AffinityArgs,
    ContainerArgs,
    ContainerPortArgs,
    EnvVarArgs,
    LocalObjectReferenceArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ProbeArgs,
    ResourceRequirementsArgs,
    TolerationArgs,
    TopologySpreadConstraintArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ..config.kube.image import pinned
from ..config.kube.pod import Resources, SELinuxOptions
from ..config.kube.workload import WorkloadConfig
from ..conventions import AUTH_CHECKSUM_ANNOTATION, AUTH_VERSION_ANNOTATION, CHECKSUM_ANNOTATION
from .pod import container_security, pod_security


@dataclass(frozen=True)
class Container:
    """The one container of a pod of ours."""

    name: str
    image: str
    image_digest: str | None
    image_pull_policy: str | None
    resources: Resources
    run_as_user: int | None
    """Also the pod's user and group; a UID above 0 sets runAsNonRoot."""
    read_only_root_filesystem: bool = True
    privileged: bool = False
    se_linux_options: SELinuxOptions | None = None
    command: Sequence[str] = ()
    """Default: the image's entrypoint."""
    args: Sequence[str] = ()
    env: Sequence[EnvVarArgs] = ()
    ports: Sequence[ContainerPortArgs] = ()
    readiness_probe: ProbeArgs | None = None
    liveness_probe: ProbeArgs | None = None


@dataclass(frozen=True)
class Scheduling:
    """Where the pod may run, and how it stops."""

    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: AffinityArgs | None = None
    tolerations: Sequence[TolerationArgs] | None = None
    priority_class_name: str | None = None
    topology_spread_constraints: Sequence[TopologySpreadConstraintArgs] | None = None
    termination_grace_period_seconds: int | None = None


@dataclass(frozen=True)
class PodMetadata:
    """What the stack adds to the pods beyond their labels (`WorkloadLabels.pods`)."""

    annotations: Mapping[str, str] = field(default_factory=dict)
    """Config refuses the checksum keys we write."""
    image_pull_secrets: Sequence[str] = ()

    @classmethod
    def of(cls, config: WorkloadConfig) -> "PodMetadata":
        return cls(config.pod_annotations, config.image_pull_secrets)


@dataclass(frozen=True)
class Mount:
    """A volume of the pod and where the container sees it."""

    volume: VolumeArgs
    mount_path: str
    read_only: bool | None = True
    """None leaves the field out: Kubernetes' default, writable."""
    sub_path: str | None = None
    """One file (or folder) of the volume at `mount_path`, bound as it is when
    the container starts: the kubelet never updates a subPath mount, even when
    it rewrites the Secret or ConfigMap volume it comes from."""


def files_as_started(volume: VolumeArgs, folder: str, files: Iterable[str]) -> list[Mount]:
    """Each of `files` of `volume` at `folder/<file>`, where a mount of the
    whole volume would put it, but as it was when the container started (a
    subPath mount each): for a password that a process and its probes must
    agree on after the Secret that holds it has changed."""
    return [Mount(volume, f"{folder}/{file}", sub_path=file) for file in files]


@dataclass(frozen=True)
class Sidecar:
    """A second container in the pod, such as an exporter, or one that runs
    to completion before the others start (an init container). It runs under
    the pod's security context like the first, with a security context of its
    own built the same way, and mounts only the volumes it lists."""

    container: Container
    mounts: Sequence[Mount] = ()


def pod_template(
    labels: Mapping[str, str],
    container: Container,
    mounts: Sequence[Mount] = (),
    checksum: pulumi.Input[str] | None = None,
    auth_checksum: pulumi.Input[str] | None = None,
    auth_version: str | None = None,
    service_account_name: pulumi.Input[str] | None = None,
    fs_group: int | None = None,
    scheduling: Scheduling = Scheduling(),
    extra: PodMetadata = PodMetadata(),
    sidecars: Sequence[Sidecar] = (),
    init_containers: Sequence[Sidecar] = (),
) -> PodTemplateSpecArgs:
    """`labels` are the pods' own (`WorkloadLabels.pods`), the selector's among them.
    `checksum` is the digest of the config the pods read (see `config_checksum`),
    `auth_checksum` that of the redis password they use (see `secret_checksum`),
    `auth_version` the version of an existing Secret's."""
    checksums = {CHECKSUM_ANNOTATION: checksum, AUTH_CHECKSUM_ANNOTATION: auth_checksum,
                 AUTH_VERSION_ANNOTATION: auth_version}
    annotations = {**extra.annotations,
                   **{key: value for key, value in checksums.items() if value is not None}}
    # One volume per name: a sidecar may mount a volume the first container has.
    volumes = {m.volume.name: m.volume for m in (*mounts, *(
        mount for sidecar in (*init_containers, *sidecars) for mount in sidecar.mounts))}
    return PodTemplateSpecArgs(
        metadata=ObjectMetaArgs(
            labels=dict(labels),
            annotations=annotations or None,
        ),
        spec=PodSpecArgs(
            # A DaemonSet refuses any other restart policy; a Deployment needs no other.
            restart_policy="Always",
            # Otherwise the kubelet adds docker-link variables for every Service in
            # the namespace (one named redis brings REDIS_SERVICE_HOST,
            # REDIS_PORT_6379_TCP, ...), which a daemon's own ${VAR} expansion
            # could pick up by mistake.
            enable_service_links=False,
            service_account_name=service_account_name,
            # Only a pod that talks to the API needs a token.
            automount_service_account_token=service_account_name is not None,
            security_context=pod_security(container.run_as_user, fs_group=fs_group),
            termination_grace_period_seconds=scheduling.termination_grace_period_seconds,
            priority_class_name=scheduling.priority_class_name,
            node_selector=dict(scheduling.node_selector) or None,
            affinity=scheduling.affinity,
            tolerations=scheduling.tolerations,
            topology_spread_constraints=scheduling.topology_spread_constraints,
            # Names, not the Secrets' outputs: the stack does not create them.
            image_pull_secrets=[LocalObjectReferenceArgs(name=n)
                                for n in extra.image_pull_secrets] or None,
            init_containers=[_container_args(init.container, init.mounts)
                             for init in init_containers] or None,
            containers=[_container_args(container, mounts), *(
                _container_args(sidecar.container, sidecar.mounts) for sidecar in sidecars)],
            volumes=list(volumes.values()) or None,
        ),
    )


def _container_args(container: Container, mounts: Sequence[Mount]) -> ContainerArgs:
    return ContainerArgs(
        name=container.name,
        image=pinned(container.image, container.image_digest),
        image_pull_policy=container.image_pull_policy,
        command=list(container.command) or None,
        args=list(container.args) or None,
        env=list(container.env) or None,
        ports=list(container.ports) or None,
        resources=_resources_args(container.resources),
        volume_mounts=[
            VolumeMountArgs(name=m.volume.name, mount_path=m.mount_path,
                            read_only=m.read_only, sub_path=m.sub_path)
            for m in mounts
        ] or None,
        security_context=container_security(container.read_only_root_filesystem,
                                            container.run_as_user, container.privileged,
                                            container.se_linux_options),
        readiness_probe=container.readiness_probe,
        liveness_probe=container.liveness_probe,
    )


def _resources_args(resources: Resources) -> ResourceRequirementsArgs | None:
    given = resources.given()
    if not given:
        return None
    return ResourceRequirementsArgs(requests=given.get("requests"), limits=given.get("limits"))
