"""Configs and views shared by the redis.existingSecret tests
(tests/workloads/test_existing_secret*.py): a config that names the Secret,
the validated model, and the pod annotations that roll redis and filebeat.
"""

from tests.configs import with_redis


def existing(secret: dict | None = None, **redis_fields) -> dict:
    """A config whose redis password is in Secret redis-credentials, with
    `secret`'s fields added to existingSecret and `redis_fields` to redis."""
    return with_redis(existingSecret={"name": "redis-credentials", **(secret or {})},
                      **redis_fields)


def validated(config: dict):
    from components import StackConfig

    return StackConfig.model_validate(config)


def annotations(manifests) -> tuple[dict, dict]:
    return tuple(manifests[kind][name]["spec"]["template"]["metadata"]["annotations"]
                 for kind, name in (("Deployment", "redis"), ("DaemonSet", "filebeat")))
