"""The rendered redis.conf as the redis tests read it: every line, or only the
directives, without the comments. Shared by the tests of redis.deniedCommands
and redis.extraConfig, which both check what a setting writes there."""

from tests.configs import render_config


def redis_conf(config: dict) -> list[str]:
    return render_config(config).manifests["ConfigMap"]["redis-config"]["data"][
        "redis.conf"].splitlines()


def directives(config: dict) -> list[str]:
    return [line for line in redis_conf(config) if not line.startswith("#")]
