"""Small configs for tests: each test adds only the setting it is about."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml")
                for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def minimal() -> dict:
    """The smallest valid config: only the two required images."""
    return {"redis": {"image": "redis:7.4-alpine"},
            "filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3"}}


def with_filebeat(**fields) -> dict:
    config = minimal()
    config["filebeat"].update(fields)
    return config


def with_redis(**fields) -> dict:
    config = minimal()
    config["redis"].update(fields)
    return config
