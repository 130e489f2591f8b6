"""Small configs for tests: each test adds only the setting it is about."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml")
                for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def minimal() -> dict:
    """The smallest valid config: only the two required images."""
    return {"redis": {"image": "redis:7.4-alpine"},
            "filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3"}}


def committed_stack(stack: str) -> dict:
    """A committed stack file's `config:` as the engine passes it to the program
    (the project file's defaults applied), our keys without their prefix."""
    import json

    from components.config.files.stack_file import read_stack_file
    from components.project import PROJECT

    values = read_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").values
    return {k.partition(":")[2]: json.loads(v) if v[:1] in "{[" else v
            for k, v in values.items() if k.startswith(f"{PROJECT}:")}


def with_filebeat(**fields) -> dict:
    config = minimal()
    config["filebeat"].update(fields)
    return config


def with_redis(**fields) -> dict:
    config = minimal()
    config["redis"].update(fields)
    return config


REPORT: list[str] = []
"""Lines a test wants shown at the end of the run (see conftest.py)."""

PASSWORD = "test-only-password-0123456789"
"""What `pulumi config set --secret redis-filebeat:redisPassword` would hold."""


def render_config(config, secrets=None, **kwargs):
    """The kit's `render_config`, with the redis password set as a secret
    whenever the config leaves redis.auth on and names no existingSecret, as
    a real stack must."""
    from components.testing import render_config as render

    redis = config.get("redis", {}) if isinstance(config, dict) else {}
    auth = redis.get("auth", True) and "existingSecret" not in redis
    if auth and "redisPassword" not in (secrets or {}):
        secrets = {**(secrets or {}), "redisPassword": PASSWORD}
    return render(config, secrets=secrets, **kwargs)


def refused(config, secrets=None, **kwargs) -> list[str]:
    """The lines of the ConfigError that rendering `config` must raise."""
    import pytest

    from components.config.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        render_config(config, secrets, **kwargs)
    return str(caught.value).splitlines()


def raw(config: dict, secrets: dict | None = None):
    """Engine-style config for `run_with_mocks`, with the password as a secret."""
    from components.render.renderer import raw_config

    return raw_config(config, {"redisPassword": PASSWORD, **(secrets or {})})


def stack_config(config: dict):
    """A validated `StackConfig`, as `parse_config` would hand it to `build`."""
    from components import StackConfig

    return StackConfig.model_validate(config | {"redisPassword": PASSWORD})
