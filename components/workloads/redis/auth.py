"""redis' password as the pod reads it: our own Secret's files, each mounted
as it was at start, or, from a Secret the stack did not make, the start-up
step and its volumes.

Only the init container mounts that other Secret, and only its one key. It writes
what redis, the probes and the exporter read into a memory-backed emptyDir:
auth.conf, the password, and the exporter's JSON map. Each of them then reads
the password this pod's redis started with, even after the Secret changes:
the kubelet rewrites a mounted Secret in place, and probes that read the new
password while redis still asks for the old one would fail, and the liveness
probe would restart redis and drop the buffer.
"""

from dataclasses import dataclass

from pulumi_kubernetes.core.v1 import (
    EmptyDirVolumeSourceArgs,
    KeyToPathArgs,
    SecretVolumeSourceArgs,
    VolumeArgs,
)

from ...config.redis.model import RedisConfig
from ..auth_startup import REDIS_SCRIPT
from ..pod_template import Container, Mount, Sidecar, files_as_started
from .acl import default_user_rules
from .conf import AUTH_DIR, AUTH_FILE, PASSWORD_FILE, STARTUP_AUTH_DIR, auth_conf
from .monitoring import EXPORTER_PASSWORDS_FILE, exporter_passwords, redis_uri

INIT_CONTAINER = "redis-auth"
SOURCE_VOLUME = "existing-auth"
FILES_VOLUME = "auth-files"
FILES_SIZE_LIMIT = "1Mi"
"""The files are a few hundred bytes; in memory, they count against the pod's limit."""


@dataclass(frozen=True)
class StartupAuth:
    init_container: Sidecar
    files: Mount
    """The folder the step writes, read-only, for redis and the exporter."""


def startup_auth(config: RedisConfig, run_as_user: int) -> StartupAuth | None:
    """The init container and the folder it fills, when `existingSecret` is set."""
    existing = config.existing_secret
    if existing is None:
        return None
    # The key is projected as `password`, where our own Secret has it, so the
    # step reads one file name whatever the Secret calls it; the Secret's
    # other keys stay out of the pod.
    source = VolumeArgs(name=SOURCE_VOLUME, secret=SecretVolumeSourceArgs(
        secret_name=existing.name, items=[KeyToPathArgs(key=existing.key, path=PASSWORD_FILE)],
        default_mode=0o440))
    # In memory, as a Secret's own volume is: the password never reaches
    # the node's disk.
    files = VolumeArgs(name=FILES_VOLUME, empty_dir=EmptyDirVolumeSourceArgs(
        medium="Memory", size_limit=FILES_SIZE_LIMIT))
    args = [existing.name, existing.key, f"{AUTH_DIR}/{PASSWORD_FILE}",
            f"{STARTUP_AUTH_DIR}/{AUTH_FILE}", f"{STARTUP_AUTH_DIR}/{PASSWORD_FILE}",
            default_user_rules(config) or ""]
    if config.monitoring.enabled:
        args += [f"{STARTUP_AUTH_DIR}/{EXPORTER_PASSWORDS_FILE}", redis_uri(config)]
    init = Container(
        name=INIT_CONTAINER,
        # redis' own image: on the node already, and it has a POSIX sh.
        image=config.image,
        image_digest=config.image_digest,
        image_pull_policy=config.pull_policy,
        # An init container runs alone, before redis: its requests add nothing
        # to the pod's.
        resources=config.resources,
        run_as_user=run_as_user,
        command=["sh", "-c", REDIS_SCRIPT, INIT_CONTAINER],
        args=args,
    )
    return StartupAuth(
        Sidecar(init, [Mount(source, AUTH_DIR),
                       Mount(files, STARTUP_AUTH_DIR, read_only=None)]),
        Mount(files, STARTUP_AUTH_DIR),
    )


def secret_mounts(config: RedisConfig) -> list[Mount]:
    """Our own Secret's files, each a subPath mount: as they were when the
    container started. redis reads auth.conf only then, and its probes must
    send that password: the kubelet rewrites a Secret volume's folder in place
    when the Secret changes, and the probes would then send the new password
    to the old redis, until the liveness probe restarted it and dropped what
    it buffered (filebeat/component.py `_auth_mounts` does the same for filebeat)."""
    volume = VolumeArgs(name="auth", secret=SecretVolumeSourceArgs(
        secret_name=config.auth_secret_name, default_mode=0o440))
    files = [PASSWORD_FILE, AUTH_FILE,
             *([EXPORTER_PASSWORDS_FILE] if config.monitoring.enabled else [])]
    return files_as_started(volume, AUTH_DIR, files)


def secret_files(config: RedisConfig, password: str) -> dict[str, str]:
    """Our own Secret's files, from `redisPassword`."""
    files = {PASSWORD_FILE: password, AUTH_FILE: auth_conf(password, default_user_rules(config))}
    if config.monitoring.enabled:
        files[EXPORTER_PASSWORDS_FILE] = exporter_passwords(config, password)
    return files
