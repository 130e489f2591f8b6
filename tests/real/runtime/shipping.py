"""What the shipping tests share: a base config, start-up, counting."""

from tests.configs import REPORT, minimal
from tests.real.runtime.pipeline import Pipeline, Tally, tally

RUNTIME_PART = 16 * 1024
"""containerd and docker split a line longer than 16 KiB into partial lines."""


def base(redis: dict | None = None, **filebeat) -> dict:
    config = minimal()
    config["redis"]["resources"] = {"limits": {"memory": "256Mi"}}
    config["redis"].update(redis or {})
    config["filebeat"].update(filebeat)
    return config


def started(pipe: Pipeline) -> Pipeline:
    pipe.redis.start()
    pipe.wait_redis_ready()
    pipe.filebeat.start()
    return pipe


def messages(pipe: Pipeline) -> list[str]:
    return [event["message"] for event in pipe.events()]


def counted(case: str, sent: int, texts: list[str], note: str = "") -> Tally:
    """The tally, also printed at the end of the run for the docs' table."""
    result = tally(case, sent, texts)
    REPORT.append(f"runtime, {case}: {result}{f' ({note})' if note else ''}")
    return result
