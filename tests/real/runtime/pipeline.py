"""A rendered stack's redis and filebeat pods on one node, and what arrived.

Each case writes numbered lines, reads the redis list the way a consumer
does, and counts sent, received, lost and duplicated.
"""

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis

from tests.configs import PASSWORD
from tests.real.runtime.images import Image
from tests.real.runtime.pod import Node, Pod, free_port
from tests.real.runtime.rendered import render

NUMBER = re.compile(r"#([^#]+)-(\d{6})#")


def numbered(case: str, count: int, start: int = 0, width: int = 60) -> list[str]:
    """Lines that say which case and which line they are, padded to `width`."""
    return [f"#{case}-{n:06d}# " + "x" * max(width - 17 - len(case), 0)
            for n in range(start, start + count)]


@dataclass(frozen=True)
class Tally:
    sent: int
    received: int
    lost: int
    duplicated: int
    missing: tuple[int, ...] = ()
    """The numbers of the lost lines."""

    def __str__(self) -> str:
        return (f"sent {self.sent}, received {self.received}, lost {self.lost}, "
                f"duplicated {self.duplicated}")


def tally(case: str, sent: int, messages: Iterable[str]) -> Tally:
    seen = Counter(n for text in messages for m in [NUMBER.search(text)]
                   if m and m.group(1) == case for n in [int(m.group(2))] if n < sent)
    missing = tuple(n for n in range(sent) if n not in seen)
    return Tally(sent=sent, received=sum(seen.values()), lost=len(missing),
                 duplicated=sum(c - 1 for c in seen.values()), missing=missing)


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


class Pipeline:
    def __init__(self, node: Node, images: dict[str, Image], config: dict[str, Any],
                 secrets: dict[str, str] | None = None, existing_password: str | None = None):
        """`existing_password`: what the Secrets the stack does not make
        (`redis.existingSecret`) hold, as their owner would have made them."""
        config = json.loads(json.dumps(config))
        config["redis"].setdefault("containerPort", free_port())
        config["filebeat"].setdefault("monitoringPort", free_port())
        auth = config["redis"].get("auth", True) and "existingSecret" not in config["redis"]
        self.secrets = {**({"redisPassword": PASSWORD} if auth else {}), **(secrets or {})}
        self.config, self.node, self.images = config, node, images
        self.rendered = render(config, self.secrets)
        if existing_password is not None:
            self.rendered.existing_secrets(existing_password)
            self.secrets["redisPassword"] = existing_password
        self.port = config["redis"]["containerPort"]
        self.key = config["filebeat"].get("output", {}).get("key", "filebeat")
        self.redis = Pod(self.rendered, "Deployment", "redis", node, images)
        self.filebeat = self.new_filebeat()

    def new_filebeat(self, daemonset: str | None = None) -> Pod:
        """A filebeat pod as the DaemonSet makes one. REDIS_HOST and
        REDIS_PORT name the Service, which needs a cluster's DNS and proxy;
        here they are what the Service would forward to: the redis
        container's port on loopback."""
        name = daemonset or next(iter(self.rendered.manifests["DaemonSet"]))
        return Pod(self.rendered, "DaemonSet", name, self.node, self.images,
                   env={"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port)})

    def roll_redis(self, password: str) -> None:
        """A rotation's first step, as `pulumi up` takes it: the redis pod
        replaced by one rendered with the new `password` (redisPassword, or
        the existing Secret's value), filebeat's pods left as they are."""
        existing = "existingSecret" in self.config["redis"]
        secrets = {**self.secrets, "redisPassword": password}
        rendered = render(self.config, {} if existing else secrets)
        if existing:
            rendered.existing_secrets(password)
        self.redis.stop()
        self.redis = Pod(rendered, "Deployment", "redis", self.node, self.images)
        self.secrets = secrets
        self.redis.start()
        self.wait_redis_ready()

    def client(self, password: str | None = None) -> redis.Redis:
        password = password or self.secrets.get("redisPassword")
        return redis.Redis(host="127.0.0.1", port=self.port, password=password, protocol=2,
                           socket_timeout=10, decode_responses=True)

    def wait_redis_ready(self, timeout: float = 20) -> None:
        wait_for(lambda: self.redis["redis"].probe("readiness").ok, timeout,
                 f"redis readiness probe ({self.redis['redis'].output()[-2000:]})")

    def events(self) -> list[dict[str, Any]]:
        with self.client() as client:
            return [json.loads(raw) for raw in client.lrange(self.key, 0, -1)]

    def drain(self, count: int = 500) -> list[dict[str, Any]]:
        """Take events off the head of the list, as a reader (LPOP with a count)."""
        with self.client() as client:
            return [json.loads(raw) for raw in client.lpop(self.key, count) or []]

    def length(self) -> int:
        with self.client() as client:
            return int(client.llen(self.key))

    def wait_message(self, text: str, timeout: float = 60) -> None:
        """Until an event with this message is in the list."""
        wait_for(lambda: any(e["message"] == text for e in self.events()), timeout,
                 f"{text[:40]} in redis; filebeat said: "
                 f"{self.filebeat['filebeat'].output()[-3000:]}", interval=1)

    def wait_length(self, at_least: int, timeout: float = 60) -> None:
        wait_for(lambda: self.length() >= at_least, timeout,
                 f"{at_least} events in redis (have {self.length()}); filebeat said: "
                 f"{self.filebeat['filebeat'].output()[-3000:]}")

    def stop(self) -> None:
        for pod in (self.filebeat, self.redis):
            for container in pod.containers.values():
                container.kill()
