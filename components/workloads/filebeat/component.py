"""Filebeat: a node daemon that ships each node's logs to redis."""

from collections.abc import Sequence
from dataclasses import fields, replace

import pulumi
from pulumi_kubernetes.core.v1 import (
    EmptyDirVolumeSourceArgs,
    EnvVarArgs,
    EnvVarSourceArgs,
    ObjectFieldSelectorArgs,
    Secret,
    SecretVolumeSourceArgs,
    ServiceAccount,
    VolumeArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.rbac.v1 import (
    ClusterRole,
    ClusterRoleBinding,
    PolicyRuleArgs,
    RoleRefArgs,
    SubjectArgs,
)

from ...config.filebeat.model import CONFIG_FILE, FilebeatConfig
from ...config.redis.auth import ExistingSecret
from ..labels import WorkloadLabels
from ..node_daemon import NO_ADDITIONS, NodeDaemon, PodAdditions
from ..pod_template import Mount, files_as_started
from .auth import startup_auth
from .probes import probes
from .yml import filebeat_yml, output_auth_yml

AUTH_DIR = "/etc/filebeat-auth"
AUTH_FILE = "output-auth.yml"
PASSWORD_FILE = "password"
"""The raw password beside filebeat's fragment, for the readiness probe."""
REGISTRY_VOLUME = "registry"

ROOT_REASON = (
    "reads the node's container logs, which belong to root and are unreadable to "
    "other users; every capability is dropped and the root filesystem is read-only"
)
PRIVILEGED_ROOT_REASON = (
    "reads the node's container logs, which belong to root and are unreadable to other "
    "users; the stack config asks for it privileged (privileged: true)"
)
TOKEN_REASON = (
    "add_kubernetes_metadata reads pods, namespaces and nodes from the API; the "
    "ClusterRole grants only get, list and watch on those"
)


class Filebeat(pulumi.ComponentResource):
    """Ships each node's logs to redis.

    REDIS_HOST and REDIS_PORT come from the `Redis` component (its `host`
    and `port`), never from hand-typed config, so renaming the Service or the
    namespace cannot leave filebeat shipping into the void. Pass that
    component in `wait_for` too: the pods then start, and roll, after redis.
    """

    daemon: NodeDaemon
    """The DaemonSets, their ConfigMap and their NetworkPolicy."""
    service_account: ServiceAccount | None
    """The identity add_kubernetes_metadata reads the API with, when the config is generated."""
    auth_secret: Secret | None
    """The redis password as a filebeat config fragment, when redis requires
    one and the stack holds it (not with `existing_secret`)."""
    names: pulumi.Output[list[str]]
    """The DaemonSets' names, for `kubectl rollout status ds/<name>`."""

    def __init__(
        self,
        config: FilebeatConfig,
        namespace: pulumi.Input[str],
        redis_host: pulumi.Input[str],
        redis_port: pulumi.Input[int],
        redis_password: pulumi.Input[str] | None = None,
        auth_checksum: pulumi.Input[str] | None = None,
        existing_secret: ExistingSecret | None = None,
        wait_for: Sequence[pulumi.Resource] = (),
        extra: PodAdditions = NO_ADDITIONS,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`auth_checksum` (from `secret_checksum`) rolls the pods when the password
        changes. `existing_secret`: instead of `redis_password`, a Secret someone
        else made; its `version` rolls the pods. `wait_for`: what the DaemonSets
        are created and updated after.
        `extra`: what your program adds to every filebeat pod: env, files for
        filebeat's ConfigMap, args (after ours: `-c <file>` merges one more config
        file), mounts and depends_on. The rest is filebeat's own to set."""
        super().__init__("redis-filebeat:components:Filebeat", config.name, None, opts)
        self._namespace = namespace
        self._labels = WorkloadLabels.of(config).objects
        env = [
            EnvVarArgs(name="REDIS_HOST", value=redis_host),
            EnvVarArgs(name="REDIS_PORT", value=pulumi.Output.from_input(redis_port).apply(str)),
            # add_kubernetes_metadata asks the API for the pods of this node only.
            EnvVarArgs(name="NODE_NAME", value_from=EnvVarSourceArgs(
                field_ref=ObjectFieldSelectorArgs(field_path="spec.nodeName"))),
        ]
        mounts: list[Mount] = []
        waivers: list[tuple[str, str]] = []
        self.auth_secret = None
        if redis_password is not None and existing_secret is not None:
            raise ValueError("give Filebeat a redis_password or an existing_secret, not both")
        fragment_dir = password_file = None
        startup = startup_auth(existing_secret, AUTH_FILE) if existing_secret else None
        if startup is not None:
            fragment_dir = startup.files.mount_path
            # The step's copy of the raw password too, for the readiness probe.
            password_file = startup.password_file
            mounts.append(startup.files)
        elif redis_password is not None:
            password_file = f"{AUTH_DIR}/{PASSWORD_FILE}"
            self.auth_secret = self._auth_secret(config, redis_password)
            fragment_dir = AUTH_DIR
            mounts += _auth_mounts(config)
        if not config.registry_host_path and config.read_only_root_filesystem:
            # The registry has to be written somewhere; with no node directory
            # for it, a pod-lifetime one.
            mounts.append(Mount(VolumeArgs(name=REGISTRY_VOLUME,
                                           empty_dir=EmptyDirVolumeSourceArgs()),
                                mount_path=config.registry_mount_path, read_only=None))
        if config.run_as_user == 0:
            # Dropped capabilities mean nothing to a privileged container.
            root = PRIVILEGED_ROOT_REASON if config.privileged else ROOT_REASON
            waivers += [("CKV_K8S_23", root), ("CKV_K8S_40", root)]
        self.service_account = None
        _check_extra(extra)
        additions = PodAdditions(env=[*env, *extra.env], mounts=[*mounts, *extra.mounts],
                                 waivers=waivers, auth_checksum=auth_checksum,
                                 auth_version=existing_secret.version if existing_secret
                                 else None,
                                 init_steps=[startup.step] if startup else [],
                                 files=dict(extra.files), args=list(extra.args),
                                 depends_on=[*([self.auth_secret] if self.auth_secret else []),
                                             *wait_for, *extra.depends_on])
        if config.generate_config:
            config_args = ["-c", f"{config.config_mount_path}/{CONFIG_FILE}"]
            if fragment_dir is not None:
                config_args += ["-c", f"{fragment_dir}/{AUTH_FILE}"]
            self.service_account = self._rbac(config)
            liveness, readiness = probes(config, password_file)
            additions = replace(
                additions,
                files={**extra.files, CONFIG_FILE: filebeat_yml(config)},
                # -e: log to stderr, where kubectl logs finds it.
                args=[*config_args, *extra.args, "-e"],
                service_account_name=config.name,
                depends_on=[*additions.depends_on, self.service_account],
                waivers=[*waivers, ("CKV_K8S_38", TOKEN_REASON)],
                liveness_probe=liveness,
                readiness_probe=readiness,
            )
        self.daemon = NodeDaemon(config, namespace, additions,
                                 opts=pulumi.ResourceOptions(parent=self))
        self.names = self.daemon.names
        self.register_outputs({"names": self.names})

    def _auth_secret(self, config: FilebeatConfig, password: pulumi.Input[str]) -> Secret:
        name = config.auth_secret_name
        return Secret(
            name,
            metadata=ObjectMetaArgs(name=name, namespace=self._namespace, labels=self._labels),
            type="Opaque",
            string_data=pulumi.Output.secret(password).apply(
                lambda p: {AUTH_FILE: output_auth_yml(p), PASSWORD_FILE: p}),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _rbac(self, config: FilebeatConfig) -> ServiceAccount:
        child = pulumi.ResourceOptions(parent=self)
        account = ServiceAccount(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, namespace=self._namespace,
                                    labels=self._labels),
            automount_service_account_token=False,  # the pod asks for it itself
            opts=child,
        )
        # Cluster-scoped, so two stacks in two namespaces must not share a name.
        cluster_name = pulumi.Output.concat(self._namespace, "-", config.name)
        role = ClusterRole(
            config.name,
            metadata=ObjectMetaArgs(name=cluster_name, labels=self._labels),
            rules=[PolicyRuleArgs(api_groups=[""], resources=["namespaces", "nodes", "pods"],
                                  verbs=["get", "list", "watch"])],
            opts=child,
        )
        ClusterRoleBinding(
            config.name,
            metadata=ObjectMetaArgs(name=cluster_name, labels=self._labels),
            role_ref=RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                 name=role.metadata.name),
            subjects=[SubjectArgs(kind="ServiceAccount", name=account.metadata.name,
                                  namespace=self._namespace)],
            opts=child,
        )
        return account


def _auth_mounts(config: FilebeatConfig) -> list[Mount]:
    """Our own Secret's two files, each a subPath mount: as they were when the
    container started, for filebeat (which reads its fragment only then) and
    for its readiness probe alike.

    The kubelet rewrites a Secret volume's folder in place when the Secret
    changes, and never a subPath mount. With the folder mounted, the probe
    would read the new password while filebeat still ships with the old one:
    after a rotation, pods not yet rolled would go unready, and once redis
    has rolled, report ready while redis refuses them. Two mounts of the one
    volume at the paths the folder gave them, rather than an init step's copy
    as with `existingSecret` (auth.py), which would add a container to every
    pod. A restarted container gets the Secret's files as they are then,
    fragment and password together."""
    volume = VolumeArgs(name="redis-auth", secret=SecretVolumeSourceArgs(
        secret_name=config.auth_secret_name, default_mode=0o400))
    return files_as_started(volume, AUTH_DIR, (AUTH_FILE, PASSWORD_FILE))


EXTRA_FIELDS = frozenset({"env", "files", "args", "mounts", "depends_on"})


def _check_extra(extra: PodAdditions) -> None:
    """A program's additions may not take over what filebeat wires itself."""
    taken = [f.name for f in fields(PodAdditions) if f.name not in EXTRA_FIELDS
             and getattr(extra, f.name) != getattr(NO_ADDITIONS, f.name)]
    if taken:
        raise ValueError(f"Filebeat's extra sets {', '.join(taken)}: filebeat sets those "
                         f"itself; extra may add {', '.join(sorted(EXTRA_FIELDS))}")
    if CONFIG_FILE in extra.files:
        raise ValueError(f"Filebeat's extra.files has {CONFIG_FILE}, filebeat's own file; "
                         "name yours otherwise and load it with extra.args: -c <path>")

