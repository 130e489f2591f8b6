"""Filebeat: a node daemon that ships each node's logs to redis."""

import pulumi
from pulumi_kubernetes.core.v1 import (
    EmptyDirVolumeSourceArgs,
    EnvVarArgs,
    EnvVarSourceArgs,
    ExecActionArgs,
    ObjectFieldSelectorArgs,
    ProbeArgs,
    Secret,
    SecretVolumeSourceArgs,
    ServiceAccount,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.rbac.v1 import (
    ClusterRole,
    ClusterRoleBinding,
    PolicyRuleArgs,
    RoleRefArgs,
    SubjectArgs,
)

from .filebeat_config import CONFIG_FILE, FilebeatConfig
from .filebeat_yml import MONITORING_HOST, filebeat_yml, output_auth_yml
from .node_daemon import NodeDaemon, PodAdditions

AUTH_DIR = "/etc/filebeat-auth"
AUTH_FILE = "output-auth.yml"
REGISTRY_VOLUME = "registry"

ROOT_REASON = (
    "reads the node's container logs, which belong to root and are unreadable to "
    "other users; every capability is dropped and the root filesystem is read-only"
)
TOKEN_REASON = (
    "add_kubernetes_metadata reads pods, namespaces and nodes from the API; the "
    "ClusterRole grants only get, list and watch on those"
)


class Filebeat(NodeDaemon):
    """Ships each node's logs to redis.

    REDIS_HOST and REDIS_PORT come from the redis Service's outputs, never
    from hand-typed config, so renaming the Service or the namespace cannot
    leave filebeat shipping into the void.
    """

    service_account: ServiceAccount | None
    """The identity add_kubernetes_metadata reads the API with, when the config is generated."""
    auth_secret: Secret | None
    """The redis password as a filebeat config fragment, when redis requires one."""

    def __init__(
        self,
        config: FilebeatConfig,
        namespace: pulumi.Input[str],
        redis_host: pulumi.Input[str],
        redis_port: pulumi.Input[int],
        redis_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        self._redis = (redis_host, redis_port, redis_password)
        self.service_account = self.auth_secret = None
        super().__init__(config, namespace, type_name="redis-filebeat:components:Filebeat",
                         opts=opts)

    def pod_additions(self, given: PodAdditions) -> PodAdditions:
        config: FilebeatConfig = self._config  # type: ignore[assignment]
        host, port, password = self._redis
        env = [
            EnvVarArgs(name="REDIS_HOST", value=host),
            EnvVarArgs(name="REDIS_PORT", value=pulumi.Output.from_input(port).apply(str)),
            # add_kubernetes_metadata asks the API for the pods of this node only.
            EnvVarArgs(name="NODE_NAME", value_from=EnvVarSourceArgs(
                field_ref=ObjectFieldSelectorArgs(field_path="spec.nodeName"))),
        ]
        volumes, mounts, args, waivers = [], [], [], []
        if password is not None:
            self.auth_secret = self._auth_secret(config, password)
            volumes.append(VolumeArgs(name="redis-auth", secret=SecretVolumeSourceArgs(
                secret_name=self.auth_secret.metadata.name, default_mode=0o400)))
            mounts.append(VolumeMountArgs(name="redis-auth", mount_path=AUTH_DIR, read_only=True))
        if not config.registry_host_path and config.read_only_root_filesystem:
            # The registry has to be written somewhere; with no node directory
            # for it, a pod-lifetime one.
            volumes.append(VolumeArgs(name=REGISTRY_VOLUME, empty_dir=EmptyDirVolumeSourceArgs()))
            mounts.append(VolumeMountArgs(name=REGISTRY_VOLUME,
                                          mount_path=config.registry_mount_path))
        if config.run_as_user == 0:
            waivers += [("CKV_K8S_23", ROOT_REASON), ("CKV_K8S_40", ROOT_REASON)]
        files, probes = {}, {}
        if config.generate_config:
            files = {CONFIG_FILE: filebeat_yml(config)}
            args = ["-c", f"{config.config_mount_path}/{CONFIG_FILE}"]
            if password is not None:
                args += ["-c", f"{AUTH_DIR}/{AUTH_FILE}"]
            args.append("-e")  # log to stderr, where kubectl logs finds it
            probes = self._probes(config, args[:-1])
            self.service_account = self._rbac(config)
            waivers.append(("CKV_K8S_38", TOKEN_REASON))
        return PodAdditions(
            env=[*env, *given.env], files={**files, **given.files}, args=[*args, *given.args],
            volumes=[*volumes, *given.volumes], volume_mounts=[*mounts, *given.volume_mounts],
            service_account_name=self.service_account.metadata.name
            if self.service_account else given.service_account_name,
            waivers=[*waivers, *given.waivers],
            **probes,
        )

    def _probes(self, config: FilebeatConfig, config_args: list[str]) -> dict[str, ProbeArgs]:
        return {
            # Alive while its own HTTP endpoint answers.
            "liveness_probe": ProbeArgs(exec_=ExecActionArgs(command=[
                "curl", "--fail", "--silent", "--show-error", "--max-time", "5",
                "--output", "/dev/null", f"http://{MONITORING_HOST}:{config.monitoring_port}/",
            ]), initial_delay_seconds=10, period_seconds=10, timeout_seconds=6,
                failure_threshold=3),
            # Ready once it can reach redis with this config and password, so a
            # rollout with a broken output stops at the first wave of nodes.
            "readiness_probe": ProbeArgs(exec_=ExecActionArgs(command=[
                "filebeat", "test", "output", *config_args,
            ]), initial_delay_seconds=5, period_seconds=15, timeout_seconds=10,
                failure_threshold=3),
        }

    def _auth_secret(self, config: FilebeatConfig, password: pulumi.Input[str]) -> Secret:
        name = config.auth_secret_name
        return Secret(
            name,
            metadata=ObjectMetaArgs(name=name, namespace=self._namespace, labels=config.labels),
            type="Opaque",
            string_data=pulumi.Output.secret(password).apply(
                lambda p: {AUTH_FILE: output_auth_yml(p)}),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _rbac(self, config: FilebeatConfig) -> ServiceAccount:
        child = pulumi.ResourceOptions(parent=self)
        account = ServiceAccount(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, namespace=self._namespace,
                                    labels=config.labels),
            automount_service_account_token=False,  # the pod asks for it itself
            opts=child,
        )
        # Cluster-scoped, so two stacks in two namespaces must not share a name.
        cluster_name = pulumi.Output.concat(self._namespace, "-", config.name)
        role = ClusterRole(
            config.name,
            metadata=ObjectMetaArgs(name=cluster_name, labels=config.labels),
            rules=[PolicyRuleArgs(api_groups=[""], resources=["namespaces", "nodes", "pods"],
                                  verbs=["get", "list", "watch"])],
            opts=child,
        )
        ClusterRoleBinding(
            config.name,
            metadata=ObjectMetaArgs(name=cluster_name, labels=config.labels),
            role_ref=RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                 name=role.metadata.name),
            subjects=[SubjectArgs(kind="ServiceAccount", name=account.metadata.name,
                                  namespace=self._namespace)],
            opts=child,
        )
        return account
