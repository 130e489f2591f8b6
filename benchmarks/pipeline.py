"""The pipeline section: events per second from files on disk into the redis list.

The rendered filebeat DaemonSet and redis Deployment run as their containers
(tests/real/runtime/), as the runtime tests run them, on a node whose logs are
written before filebeat starts. Three figures, interleaved round by round:
- ours: the generated filebeat.yml, as a stack renders it;
- filebeat's defaults: the same file with `output.redis` cut to the host and
  key and no `queue` setting, so every output and queue setting is filebeat's own;
- the ceiling: redis' own pipelined RPUSH of events of the same size
  (redis-benchmark), which no shipper can beat.
Each run counts from filebeat's start to the last event in the list, so it
includes filebeat's start-up (about a second), as a restarted pod pays it.
"""

import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from tests.configs import minimal
from tests.real.runtime.images import load
from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import Pipeline, numbered, wait_for
from tests.real.runtime.pod import Api, Node

from .runner import BenchmarkError
from .table import table

EVENTS = 100_000
LINE = 200
"""Characters per log line: a typical application line."""
CLOCK = os.sysconf("SC_CLK_TCK")


def _config() -> dict:
    config = minimal()
    config["redis"]["resources"] = {"limits": {"memory": "1Gi"}}
    return config


def _defaults(pipe: Pipeline) -> None:
    """filebeat's own output and queue settings: only what says where the events go."""
    data = pipe.rendered.manifests["ConfigMap"]["filebeat-config"]["data"]
    document = yaml.safe_load(data["filebeat.yml"])
    output = document["output.redis"]
    document["output.redis"] = {"hosts": output["hosts"], "key": output["key"]}
    for key in [k for k in document if k.split(".")[0] == "queue"]:
        del document[key]
    data["filebeat.yml"] = yaml.safe_dump(document, sort_keys=False)
    pipe.filebeat = pipe.new_filebeat()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


def _pipeline(scratch: Path, images) -> Pipeline:
    """A stack's pods on a node of their own, with no API server."""
    node = Node("bench", Path(tempfile.mkdtemp(dir=scratch)) / "node",
                Api("127.0.0.1", 1, "none", "none"))
    return Pipeline(node, images, _config())


def _one(scratch: Path, images, variant: str) -> tuple[float, float, float, int]:
    """events/s, MiB/s of log read, CPU seconds per million events, event bytes."""
    pipe = _pipeline(scratch, images)
    node = pipe.node
    if variant == "defaults":
        _defaults(pipe)
    try:
        log = ContainerLog(node.root, "bench-1")
        log.write(numbered("bench", EVENTS, width=LINE))
        size = log.path.stat().st_size
        pipe.redis.start()
        pipe.wait_redis_ready()
        start = time.perf_counter()
        pipe.filebeat.start()
        wait_for(lambda: pipe.length() >= EVENTS, 300, f"{EVENTS} events from {variant}",
                 interval=0.05)
        took = time.perf_counter() - start
        filebeat = pipe.filebeat["filebeat"]
        pid = next(p for p, name in filebeat.members().items() if name == "filebeat")
        cpu = _cpu_seconds(pid)
        with pipe.client() as client:
            event_bytes = len(client.lindex(pipe.key, 0) or "")
        return EVENTS / took, size / took / 2**20, cpu / EVENTS * 1e6, event_bytes
    finally:
        pipe.stop()


def _ceiling(scratch: Path, images, event_bytes: int) -> float:
    """redis-benchmark's pipelined RPUSH of values of the events' size, events/s."""
    pipe = _pipeline(scratch, images)
    try:
        pipe.redis.start()
        pipe.wait_redis_ready()
        out = subprocess.run(
            ["redis-benchmark", "-h", "127.0.0.1", "-p", str(pipe.port), "-a",
             pipe.secrets["redisPassword"], "-n", str(EVENTS), "-P", "64", "-c", "1",
             "-d", str(event_bytes), "-t", "rpush", "--csv"],
            capture_output=True, text=True, timeout=300, check=True).stdout
        rate = re.search(r'"RPUSH[^"]*","([\d.]+)"', out)
        if not rate:
            raise BenchmarkError(f"redis-benchmark printed no RPUSH rate: {out[-300:]}")
        return float(rate.group(1))
    finally:
        pipe.stop()


def pipeline(scratch: Path, repeats: int) -> str:
    if os.geteuid() != 0:
        raise BenchmarkError("the pipeline section runs the pods in mount namespaces: root only")
    images = {name: load(name) for name in ("filebeat", "redis", "redis-exporter")}
    figures: dict[str, list[tuple[float, float, float, int]]] = {"ours": [], "defaults": []}
    ceiling: list[float] = []
    for round_number in range(repeats):
        names = list(figures)[round_number % 2:] + list(figures)[:round_number % 2]
        for variant in names:
            figures[variant].append(_one(scratch, images, variant))
        event_bytes = int(statistics.median(f[3] for f in figures["ours"]))
        ceiling.append(_ceiling(scratch, images, event_bytes))
    top = statistics.median(ceiling)
    defaults = statistics.median(f[0] for f in figures["defaults"])
    rows = []
    for variant, label in (("ours", "our generated config"),
                           ("defaults", "filebeat's output.redis defaults")):
        rate = statistics.median(f[0] for f in figures[variant])
        rows.append([label, f"{rate:,.0f}",
                     f"{statistics.median(f[1] for f in figures[variant]):.1f} MiB",
                     f"{statistics.median(f[2] for f in figures[variant]):.1f} s",
                     f"{rate / defaults:.2f}×", f"{rate / top:.2f}×"])
    rows.append(["ceiling: redis-benchmark RPUSH, pipelined 64", f"{top:,.0f}", "—", "—",
                 f"{top / defaults:.2f}×", "1.00×"])
    event_bytes = int(statistics.median(f[3] for f in figures["ours"]))
    return (f"pipeline: {EVENTS:,} log lines of {LINE} characters (CRI), events of "
            f"{event_bytes} bytes in redis; median of {repeats} interleaved rounds; "
            f"filebeat {filebeat_version(images)}\n"
            + table(["", "events/s", "log read/s", "CPU per 1M events", "vs defaults",
                     "vs ceiling"], rows))


def filebeat_version(images) -> str:
    out = subprocess.run([str(images["filebeat"].files["/usr/share/filebeat/filebeat"]),
                          "version"], capture_output=True, text=True).stdout
    return out.split("filebeat version ")[-1].split(" (")[0] if out else "?"



