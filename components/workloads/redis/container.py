"""The redis container: what runs, as which user, and the probes a rollout waits on.

The Deployment's fsGroup, the start-up step and the exporter take the user
from here, and the Service takes the port's name, so a change to the
container reaches every place that must agree with it.
"""

from pulumi_kubernetes.core.v1 import ContainerPortArgs, ExecActionArgs, ProbeArgs

from ...config.redis.model import RedisConfig
from ..pod_template import Container
from .conf import CONFIG_DIR, CONFIG_FILE, PASSWORD_FILE, auth_dir

PORT_NAME = "redis"
REDIS_UID = 10001
"""Any UID works for redis-server; one above 10000 cannot collide with a
user of the node, should the container ever escape."""


def ping_command(config: RedisConfig, answers: str) -> list[str]:
    """`redis-cli ping`, passing when the reply matches `answers` (an ERE).

    redis-cli exits 0 even when the server answers NOAUTH, so the reply is
    checked, not the exit code. The password goes through REDISCLI_AUTH, so
    it never shows in the process list.
    """
    ping = f"redis-cli -p {config.container_port} ping | grep -qE '^({answers})'"
    if config.auth:
        # With an existing Secret, the start-up step's copy: the password this
        # redis started with, not the Secret's newer one (redis/auth.py).
        ping = f'REDISCLI_AUTH="$(cat {auth_dir(config)}/{PASSWORD_FILE})" {ping}'
    return ["sh", "-c", ping]


def redis_container(config: RedisConfig) -> Container:
    return Container(
        name="redis",
        image=config.image,
        image_digest=config.image_digest,
        image_pull_policy=config.pull_policy,
        resources=config.resources,
        run_as_user=REDIS_UID,
        # Not the image's entrypoint script: it only chowns /data as root,
        # which this pod never is.
        command=["redis-server"],
        args=[f"{CONFIG_DIR}/{CONFIG_FILE}"],
        ports=[ContainerPortArgs(name=PORT_NAME, container_port=config.container_port)],
        # Ready when it answers PONG; alive while it answers at all, so
        # loading a large AOF is not a failure.
        readiness_probe=ProbeArgs(
            exec_=ExecActionArgs(command=ping_command(config, "PONG$")),
            period_seconds=5, timeout_seconds=3, failure_threshold=3),
        liveness_probe=ProbeArgs(
            exec_=ExecActionArgs(command=ping_command(config, "PONG$|LOADING")),
            initial_delay_seconds=10, period_seconds=10, timeout_seconds=5, failure_threshold=6),
    )
