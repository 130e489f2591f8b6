"""How filebeat is configured: the DaemonSet, and the filebeat.yml generated for it.

The generated filebeat.yml is filebeat 8's: a `filestream` input over the
container logs, `add_kubernetes_metadata`, and `output.redis`. Everything an
operator tunes in it is a typed field here (what it reads in `inputs.py`),
so a typo fails `pulumi preview` instead of a pod on every node.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ..base import KeyedError
from ..kube.daemon import NodeDaemonConfig
from ..kube.host_path import HostPathVolume
from ..kube.memory import FILEBEAT
from ..kube.names import AbsolutePath, ConfigKey, DNS1123Label, EnvVarName
from ..kube.numbers import INT32_MAX, Count, Port
from .extra_config import check_extra_config
from .flags import passes_config_file
from .inputs import POD_LOGS_DIR, ContainerLogs, ExtraInput, check_extra_inputs, under
from .output import RedisOutput
from .registry import (
    REGISTRY_ROOT,
    check_apart_from_mounts,
    check_registry_path,
    with_default_registry,
)

DERIVED_ENV = ("REDIS_HOST", "REDIS_PORT", "NODE_NAME")
"""Env vars the Filebeat component sets itself, from the redis Service and the
downward API."""
CONFIG_FILE = "filebeat.yml"
GENERATED_FOR = (8, 10)
"""The oldest filebeat that reads the generated file: file fingerprints came in 8.10."""
_FILEBEAT_TAG = re.compile(r"(?:^|/)filebeat(?:-oss|-wolfi)?:(\d{1,6})\.(\d{1,6})")


class FilebeatConfig(NodeDaemonConfig):
    """The filebeat DaemonSet that ships each node's logs to redis."""

    memory_floor = FILEBEAT

    name: DNS1123Label = "filebeat"
    """Names the DaemonSet. Default 'filebeat'."""
    container_name: DNS1123Label | None = "filebeat"
    """Default 'filebeat'."""
    env: dict[EnvVarName, str] = {}
    """Extra environment, sorted by name after REDIS_HOST, REDIS_PORT and
    NODE_NAME, which are derived and may not be set here nor in a node
    class's env. Default none."""
    args: list[str] = []
    """Container args. With the generated config they come after
    `-c <filebeat.yml> [-c <password fragment>] -e`, and may not pass `-c`
    (in any spelling) themselves, nor may a node class's args. Default none."""
    config_files: dict[ConfigKey, str] = {}
    """More files in the `<name>-config` ConfigMap, beside the generated
    filebeat.yml (so a `filebeat.yml` key is refused while generateConfig is
    on). Changing a file rolls the pods. Default none."""
    priority_class_name: DNS1123Label | None = "system-node-critical"
    """Default system-node-critical: a node under memory pressure evicts
    others before the agent that ships its last logs. null leaves it unset."""
    registry_host_path: AbsolutePath | None = f"{REGISTRY_ROOT}/default/filebeat"
    """The node directory that keeps filebeat's registry (how far it has read
    each file), so a restarted pod neither re-ships nor skips logs. Default
    /var/lib/redis-filebeat/<namespace>/<name>: qualified like the Elastic
    chart's and ECK's, so a second stack on the same nodes, or Elastic's own
    filebeat at /var/lib/filebeat-data, never finds the registry locked ("data
    path already locked by another beat"). A stack file beside another on the
    same `kubernetes:context` with the same path is refused. It is mounted
    read-write into a root container, so it must be a directory of its own,
    written plainly (no `..`, `//` or trailing `/`): `/`, the system's own
    directories (/etc, /usr, /var/lib, /var/log...) and anything that holds
    one, anything in /proc, /sys, /dev, /run or the kubelet's, runtimes',
    etcd's or CNI's state, and a directory that is, holds or lies inside a log
    directory the pod mounts are refused. null keeps it in the pod, where it
    dies with it: a new pod re-ships every log file from the start."""
    registry_mount_path: AbsolutePath = "/usr/share/filebeat/data"
    """Where the image keeps its data directory. Default: the Elastic image's."""
    generate_config: bool = True
    """Generate filebeat.yml (filebeat 8 syntax) from the fields below, which
    needs an image of filebeat 8.10 or later. Default true. false runs the
    image's own filebeat.yml, as the tutorial's image does."""
    config_mount_path: AbsolutePath = "/etc/filebeat"
    """The directory filebeat.yml and configFiles appear in. Default
    /etc/filebeat, where the tutorial's image also reads it."""
    container_logs: ContainerLogs = ContainerLogs()
    """What to read. Default: every container's log on the node."""
    extra_inputs: list[ExtraInput] = []
    """More filestream inputs beside the container logs, such as the node's own
    log files. Default none."""
    extra_config: dict[str, Any] = {}
    """Raw filebeat settings merged into the generated filebeat.yml, dotted
    (`queue.mem.events`) or nested, for what is not typed here. Settings the
    generated file owns and namespaces filebeat does not know are refused;
    below a known namespace nothing is checked (docs/filebeat.md). Default
    none."""
    output: RedisOutput = RedisOutput()
    """Default: the list 'filebeat' in database 0."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Filebeat's own log level. Default info."""
    monitoring_port: Port = 5066
    """Filebeat's HTTP endpoint on 127.0.0.1, for the liveness probe. Default 5066."""
    termination_grace_period_seconds: Count | None = 30
    """Default 30: time to send what is queued before the pod is killed."""
    run_as_user: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = 0
    """Default 0 (root): container logs on the node belong to root and are not
    readable by others. null leaves the image's user."""

    @model_validator(mode="before")
    @classmethod
    def _registry_named_after_the_daemon(cls, data: Any) -> Any:
        # Built on its own, a FilebeatConfig knows no namespace: StackConfig
        # hands in the path for its own before this runs.
        return with_default_registry(data, "default")

    @field_validator("registry_host_path")
    @classmethod
    def _registry_is_its_own(cls, path: str | None) -> str | None:
        return None if path is None else check_registry_path(path)

    @model_validator(mode="after")
    def _registry_apart_from_logs(self) -> "FilebeatConfig":
        if self.registry_host_path:
            # The container logs are mounted only while generateConfig is on.
            logs = enumerate(self.container_logs.host_paths if self.generate_config else [])
            check_apart_from_mounts(self.registry_host_path, [
                (f"containerLogs.hostPaths.{i}", path) for i, path in logs], ("generateConfig",))
            check_apart_from_mounts(self.registry_host_path, [
                (f"hostPaths.{i}.path", v.path) for i, v in enumerate(self.host_paths)])
        return self

    @field_validator("extra_config")
    @classmethod
    def _extra_config_is_filebeats(cls, settings: dict[str, Any]) -> dict[str, Any]:
        check_extra_config(settings)
        return settings

    @model_validator(mode="after")
    def _derived_env_untouched(self) -> "FilebeatConfig":
        # Rendered after the derived entries, a second REDIS_HOST would win:
        # filebeat would ship to wherever it points.
        for key, env in self.env_by_key().items():
            taken = next((name for name in DERIVED_ENV if name in env), None)
            if taken:
                raise KeyedError(f"{key}.{taken}", (
                    "is derived by the component (REDIS_HOST and REDIS_PORT from the redis "
                    "Service, NODE_NAME from the node); remove it"))
        return self

    @property
    def auth_secret_name(self) -> str:
        return f"{self.name}-redis-auth"

    def object_names(self) -> set[tuple[str, str]]:
        return super().object_names() | {("Secret", self.auth_secret_name)}

    def volumes(self) -> list[HostPathVolume]:
        logs = [HostPathVolume(name=log_volume_name(path), path=path, read_only=True)
                for path in self.container_logs.host_paths] if self.generate_config else []
        # The registry is a host path like any other, so the generic surge
        # rule sees it: two filebeats on one registry refuse to run together.
        registry = [HostPathVolume(
            name="registry", path=self.registry_host_path,
            mount_path=self.registry_mount_path, read_only=False,
            type="DirectoryOrCreate", shared_state=True,
        )] if self.registry_host_path else []
        return [*self.host_paths, *logs, *registry]

    def volume_key(self, volume: HostPathVolume) -> str:
        if volume in self.host_paths:
            return "hostPaths"
        return "registryHostPath" if volume.name == "registry" else "containerLogs.hostPaths"

    @model_validator(mode="after")
    def _generated_config_fits(self) -> "FilebeatConfig":
        if not self.generate_config:
            given = [key for key, value in (("extraInputs", self.extra_inputs),
                                            ("extraConfig", self.extra_config)) if value]
            if given:
                raise KeyedError(given[0], (
                    f"{given[0]} goes into the generated filebeat.yml, and generateConfig is "
                    "false; write it into your own filebeat.yml"), also=("generateConfig",))
            return self
        if CONFIG_FILE in self.config_files:
            raise KeyedError(f"configFiles.{CONFIG_FILE}", (
                f"configFiles holds {CONFIG_FILE}, which generateConfig writes from this "
                "config; set generateConfig false to supply your own"), also=("generateConfig",))
        for key, args in self.args_by_key().items():
            if any(passes_config_file(arg) for arg in args):
                raise KeyedError(key, (
                    f"{key} must not pass -c: the generated filebeat.yml is passed already; "
                    "set generateConfig false to choose the config yourself"
                ), also=("generateConfig",))
        tag = _FILEBEAT_TAG.search(self.image)
        if tag and (int(tag.group(1)), int(tag.group(2))) < GENERATED_FOR:
            oldest = ".".join(map(str, GENERATED_FOR))
            raise KeyedError("image", (
                f"filebeat {tag.group(1)}.{tag.group(2)} cannot read the filebeat.yml that "
                f"generateConfig writes, which needs filebeat {oldest} or later; use a newer "
                "image, or set generateConfig false to run the image's own filebeat.yml"
            ), also=("generateConfig",))
        mounted = self.container_logs.host_paths
        also = ("containerLogs.hostPaths", "generateConfig")
        for path in self.container_logs.paths:
            if not under(path, mounted):
                raise KeyedError("containerLogs.paths", (
                    f"containerLogs.paths has {path!r}, which is not under any of "
                    "containerLogs.hostPaths, so filebeat would find nothing there; mount "
                    "its directory"), also=also)
        if self.container_logs.rotated_logs and not under(f"{POD_LOGS_DIR}/x", mounted):
            raise KeyedError("containerLogs.rotatedLogs", (
                f"containerLogs.rotatedLogs reads {POD_LOGS_DIR}, which is not under any of "
                f"containerLogs.hostPaths; add /var/log or {POD_LOGS_DIR} to them"), also=also)
        check_extra_inputs(self.extra_inputs, [
            *mounted, *(v.mount_path or v.path for v in self.host_paths)])
        names = [log_volume_name(path) for path in mounted]
        hosts = {v.name for v in self.host_paths}
        taken = hosts | {"registry", "config"}
        clash = sorted({n for n in names if names.count(n) > 1 or n in taken})
        if clash:
            raise KeyedError("containerLogs.hostPaths", (
                f"two mounts would share the volume name {clash[0]!r}; drop the "
                "duplicate or rename your hostPaths entry"),
                also=("hostPaths", "generateConfig") if clash[0] in hosts else ("generateConfig",))
        return self


def log_volume_name(path: str) -> str:
    """A readable volume name for a log directory: /var/log -> var-log."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:63].rstrip("-")
    return slug or "host-root"
