"""One run of the buffer section: a real filebeat fills the rendered redis, a reader drains it.

For one list setting, on a node of its own: the corpus is written as the
containers' logs, the stack's redis starts with the setting, the stack's
filebeat ships every event, and then
- bytes per event: `used_memory` grown over the events, which is what
  `maxmemory` counts;
- filebeat's push rate, from its first event in the list to its last, so
  filebeat's start-up is not in it;
- a reader's drain: `LPOP key 125` (Logstash's redis input takes 125 a
  batch), one batch a round trip, decoding each event's JSON as any reader
  must to use it, until the list is empty;
- redis' own ceilings, with C clients so that the client is not the limit:
  the same events pushed back by redis-cli, pipelined, in RPUSHes of 2,048
  (filebeat's bulk_max_size for redis), the fastest any shipper could fill
  this list; then drained by redis-benchmark with the reader's LPOP, one
  batch a round trip, the fastest any reader could empty it;
- redis' CPU seconds per million events while filebeat pushed and the
  reader drained;
- bytes per event again, for the same events with the `kubernetes` block
  add_kubernetes_metadata adds (`with_metadata`): these runs have no API
  server, so that block is written here, shaped as filebeat 9.3 writes it,
  and pushed by redis-cli. Every stack runs that processor, so a cluster's
  events carry it; it repeats from event to event, and compresses well.
"""

import hashlib
import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.configs import minimal
from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import Pipeline, wait_for
from tests.real.runtime.pod import Api, Node

from .corpus import MULTILINE, Container
from .runner import BenchmarkError

DRAIN_BATCH = 125
PUSH_BATCH = 2048


@dataclass(frozen=True)
class Setting:
    depth: int
    """list-compress-depth"""
    size: int
    """list-max-listpack-size"""

    @property
    def label(self) -> str:
        return f"depth {self.depth}, size {self.size}"


@dataclass(frozen=True)
class Run:
    bytes_per_event: float
    push: float
    """filebeat's events/s"""
    drain: float
    """the reader's events/s"""
    ceiling: float
    """redis-cli's pipelined RPUSH, events/s"""
    ceiling_drain: float
    """redis-benchmark's LPOP, events/s"""
    cpu_push: float
    """redis' CPU seconds per million events filebeat pushed"""
    cpu_drain: float
    with_metadata: float
    """bytes per event with a kubernetes block (above)"""


def stack(setting: Setting) -> dict:
    config = minimal()
    config["redis"]["resources"] = {"limits": {"memory": "1Gi"}}
    config["redis"]["buffer"] = {"listCompressDepth": setting.depth,
                                 "listMaxListpackSize": setting.size}
    config["filebeat"]["containerLogs"] = {"multiline": MULTILINE}
    return config


def _cpu(pipe: Pipeline) -> float:
    """redis-server's user and system seconds so far."""
    with pipe.client() as client:
        info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _memory(pipe: Pipeline) -> int:
    with pipe.client() as client:
        return int(client.info("memory")["used_memory"])


def _resp(*arguments: bytes) -> bytes:
    return b"".join([b"*%d\r\n" % len(arguments),
                     *(b"$%d\r\n%s\r\n" % (len(a), a) for a in arguments)])


def _pushes(key: str, events: list[bytes]) -> bytes:
    """RPUSHes of filebeat's batch size, as redis-cli --pipe sends them."""
    return b"".join(_resp(b"RPUSH", key.encode(), *events[i:i + PUSH_BATCH])
                    for i in range(0, len(events), PUSH_BATCH))


def _pipe_in(pipe: Pipeline, commands: bytes, what: str) -> float:
    """Seconds redis-cli takes to send `commands` and read every reply."""
    start = time.perf_counter()
    done = subprocess.run(
        ["redis-cli", "-p", str(pipe.port), "-a", pipe.secrets["redisPassword"],
         "--no-auth-warning", "--pipe"], input=commands, capture_output=True, timeout=600)
    took = time.perf_counter() - start
    if done.returncode or b"errors: 0" not in done.stdout:
        raise BenchmarkError(f"redis-cli --pipe ({what}): {done.stdout[-300:]!r} "
                             f"{done.stderr[-300:]!r}")
    return took


def with_kubernetes(raw: bytes) -> bytes:
    """The event as add_kubernetes_metadata leaves it, for a pod of a
    Deployment named after the container (the log file's path names it)."""
    event = json.loads(raw)
    path = event["log"]["file"]["path"]
    container = path.rsplit("_", 1)[1].rsplit("-", 1)[0]
    pod_id = hashlib.sha256(container.encode()).hexdigest()
    event["kubernetes"] = {
        "pod": {"name": f"{container}-7d9f8b6c5d-x2k4q", "uid": _uuid(pod_id),
                "ip": "10.244.3.17"},
        "namespace": "shop", "namespace_uid": _uuid(pod_id[::-1]),
        "namespace_labels": {"kubernetes_io/metadata_name": "shop"},
        "replicaset": {"name": f"{container}-7d9f8b6c5d"},
        "labels": {"app_kubernetes_io/name": container, "app_kubernetes_io/part-of": "shop",
                   "pod-template-hash": "7d9f8b6c5d"},
        "node": {"name": "worker-3", "uid": _uuid(pod_id[5:]), "hostname": "worker-3",
                 "labels": {"kubernetes_io/os": "linux", "kubernetes_io/arch": "amd64",
                            "node_kubernetes_io/instance-type": "m6i.xlarge",
                            "topology_kubernetes_io/zone": "eu-west-1b"}},
        "container": {"name": container}}
    event["container"] = {"id": pod_id, "runtime": "containerd",
                          "image": {"name": f"registry.example.com/shop/{container}:1.42.0"}}
    return json.dumps(event, separators=(",", ":")).encode()


def _uuid(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _batches(events: int) -> int:
    return -(-events // DRAIN_BATCH)


def _reader(pipe: Pipeline, expected: int) -> float:
    """A reader's events/s: one `LPOP key 125` a round trip, each event decoded."""
    decoded = 0
    with redis.Redis(port=pipe.port, password=pipe.secrets["redisPassword"],
                     protocol=2) as client:
        start = time.perf_counter()
        while batch := client.lpop(pipe.key, DRAIN_BATCH):
            decoded += len([json.loads(raw) for raw in batch])
        took = time.perf_counter() - start
    if decoded != expected:
        raise BenchmarkError(f"the reader took {decoded} events of {expected}")
    return decoded / took


def _ceiling_drain(pipe: Pipeline, expected: int) -> float:
    """redis' own drain rate: the reader's LPOP from a C client, no decoding."""
    out = subprocess.run(
        ["redis-benchmark", "-p", str(pipe.port), "-a", pipe.secrets["redisPassword"],
         "-c", "1", "-P", "1", "-n", str(_batches(expected)), "--csv",
         "LPOP", pipe.key, str(DRAIN_BATCH)], capture_output=True, text=True, timeout=600)
    rate = re.search(r'"LPOP[^"]*","([\d.]+)"', out.stdout)
    if out.returncode or not rate:
        raise BenchmarkError(f"redis-benchmark printed no LPOP rate: {out.stdout[-300:]} "
                             f"{out.stderr[-300:]}")
    return float(rate.group(1)) * DRAIN_BATCH


def _events(pipe: Pipeline) -> list[bytes]:
    """The list as filebeat left it, byte for byte."""
    with redis.Redis(port=pipe.port, password=pipe.secrets["redisPassword"],
                     protocol=2) as client:
        return list(client.lrange(pipe.key, 0, -1))


def _push_rate(pipe: Pipeline, expected: int) -> float:
    """filebeat's events/s from its first event in the list to its last."""
    first: tuple[float, int] | None = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        length = pipe.length()
        now = time.perf_counter()
        if length and first is None:
            first = (now, length)
        if length >= expected:
            if first is None or now <= first[0]:
                raise BenchmarkError("the list filled between two looks: use more events")
            return (length - first[1]) / (now - first[0])
        time.sleep(0.01)
    raise BenchmarkError(f"{expected} events not in redis in 600 s (have {pipe.length()}); "
                         f"filebeat said: {pipe.filebeat['filebeat'].output()[-2000:]}")


def one(scratch: Path, images, setting: Setting, logs: list[Container]) -> tuple[Run, list[bytes]]:
    node = Node("bench", Path(tempfile.mkdtemp(dir=scratch)) / "node",
                Api("127.0.0.1", 1, "none", "none"))
    pipe = Pipeline(node, images, stack(setting))
    expected = sum(len(c.events) for c in logs)
    try:
        for container in logs:
            ContainerLog(node.root, f"{container.name}-0", container=container.name).write(
                container.lines)
        pipe.redis.start()
        pipe.wait_redis_ready()
        empty, cpu = _memory(pipe), _cpu(pipe)
        pipe.filebeat.start()
        push = _push_rate(pipe, expected)
        cpu_push = _cpu(pipe) - cpu
        if pipe.length() != expected:
            raise BenchmarkError(f"{pipe.length()} events in redis, {expected} written")
        held = _memory(pipe) - empty
        events = _events(pipe)
        for container in pipe.filebeat.containers.values():
            container.kill()
        cpu = _cpu(pipe)
        drain = _reader(pipe, expected)
        cpu_drain = _cpu(pipe) - cpu
        wait_for(lambda: pipe.length() == 0, 5, "an empty list after the reader")
        ceiling = expected / _pipe_in(pipe, _pushes(pipe.key, events), "RPUSH")
        ceiling_drain = _ceiling_drain(pipe, expected)
        wait_for(lambda: pipe.length() == 0, 5, "an empty list after redis-benchmark")
        empty = _memory(pipe)
        _pipe_in(pipe, _pushes(pipe.key, [with_kubernetes(e) for e in events]), "RPUSH")
        million = 1e6 / expected
        return Run(bytes_per_event=held / expected, push=push, drain=drain, ceiling=ceiling,
                   ceiling_drain=ceiling_drain, cpu_push=cpu_push * million,
                   cpu_drain=cpu_drain * million,
                   with_metadata=(_memory(pipe) - empty) / expected), events
    finally:
        pipe.stop()
