"""Memory quantities: a unit slip (`m` for `Mi`, bare bytes) and less than a
container needs are refused, and redis never gets a maxmemory of 0."""

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config.redis.model import RedisConfig
from tests.configs import ROOT, refused, render_config, with_filebeat, with_redis

FILE = "<render_config>"
MILLI = "'m' means thousandths of a byte: for mebibytes, write"
BARE = "a number without a unit counts bytes: for mebibytes, write"
EXPORTER = {"enabled": True, "image": "oliver006/redis_exporter:v1.88.0",
            "scraperNamespace": "monitoring"}


def conf(manifests) -> list[str]:
    return manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"].splitlines()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "components", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_millibytes_from_the_command_line_are_refused_one_line_per_key():
    run = cli("render", "--stack", "dev", "--set", "redis.resources.limits.memory=1000m",
              "--set", "redis.resources.requests.memory=500m")
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert run.stderr.splitlines() == [
        "--set redis.resources.requests.memory=500m: redis.resources.requests.memory: (500m) "
        f"is 0.5 bytes, below any container's floor of 1Mi; {MILLI} 500Mi",
        "--set redis.resources.limits.memory=1000m: redis.resources.limits.memory: (1000m) "
        f"is 1 byte, below any container's floor of 1Mi; {MILLI} 1000Mi"]


def test_bare_bytes_in_a_stack_file_are_refused_naming_the_file(tmp_path):
    stack = tmp_path / "Pulumi.mine.yaml"
    stack.write_text("config:\n"
                     "  redis-filebeat:redis:\n"
                     "    {image: 'redis:7', resources: {limits: {memory: 1024}}}\n"
                     "  redis-filebeat:filebeat:\n"
                     "    {image: 'filebeat:8', resources: {limits: {memory: 400m}}}\n")
    run = cli("render", "--config", str(stack))
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert run.stderr.splitlines() == [
        f"{stack}: redis.resources.limits.memory: (1024) is 1024 bytes, below any "
        f"container's floor of 1Mi; {BARE} 1024Mi",
        f"{stack}: filebeat.resources.limits.memory: (400m) is 0.4 bytes, below any "
        f"container's floor of 1Mi; {MILLI} 400Mi"]


@pytest.mark.parametrize(("config", "lines"), [
    (with_redis(resources={"limits": {"memory": 1024}}),
     [f"redis.resources.limits.memory: (1024) is 1024 bytes, below any container's floor "
      f"of 1Mi; {BARE} 1024Mi"]),
    (with_filebeat(resources={"requests": {"memory": "400m"}, "limits": {"memory": "1Gi"}}),
     [f"filebeat.resources.requests.memory: (400m) is 0.4 bytes, below any container's "
      f"floor of 1Mi; {MILLI} 400Mi"]),
    (with_filebeat(nodeClasses={"big": {"nodeSelector": {"size": "big"},
                                        "resources": {"limits": {"memory": "64k"}}}}),
     ["filebeat.nodeClasses.big.resources.limits.memory: (64k) is below any container's "
      "floor of 1Mi: no container runs in less"]),
    (with_redis(monitoring=EXPORTER | {"resources": {"limits": {"memory": "512"}}}),
     [f"redis.monitoring.resources.limits.memory: (512) is 512 bytes, below any "
      f"container's floor of 1Mi; {BARE} 512Mi"]),
], ids=["bare-bytes", "filebeat-milli", "node-class-kilo", "exporter-bare"])
def test_a_memory_quantity_below_a_mebibyte_is_a_unit_slip(config, lines):
    assert refused(config) == [f"{FILE}: {line}" for line in lines]


@pytest.mark.parametrize(("config", "line"), [
    (with_redis(resources={"limits": {"memory": "8Mi"}}),
     "redis.resources.limits.memory: (8Mi) is below redis' floor of 16Mi: redis needs a "
     "few MiB of its own before it holds a log, and at its limit the kernel kills it with "
     "every log it buffers"),
    (with_redis(resources={"requests": {"memory": "15Mi"}}),
     "redis.resources.requests.memory: (15Mi) is below redis' floor of 16Mi"),
    (with_filebeat(resources={"limits": {"memory": "31Mi"}}),
     "filebeat.resources.limits.memory: (31Mi) is below filebeat's floor of 32Mi: below "
     "it filebeat is OOM-killed as it starts, and the node's logs stay unshipped"),
    (with_filebeat(resources={"limits": {"memory": 20_000_000}}),
     "filebeat.resources.limits.memory: (20000000) is 20000000 bytes, below filebeat's "
     "floor of 32Mi; a number without a unit counts bytes"),
    (with_filebeat(nodeClasses={"small": {"nodeSelector": {"size": "small"},
                                          "resources": {"requests": {"memory": "16Mi"}}}}),
     "filebeat.nodeClasses.small.resources.requests.memory: (16Mi) is below filebeat's "
     "floor of 32Mi"),
    (with_redis(monitoring=EXPORTER | {"resources": {"limits": {"memory": "8Mi"}}}),
     "redis.monitoring.resources.limits.memory: (8Mi) is below the exporter's floor of "
     "16Mi: below it the exporter is OOM-killed as it starts, and the buffer goes "
     "unwatched"),
], ids=["redis-limit", "redis-request", "filebeat-limit", "filebeat-bare", "node-class",
        "exporter"])
def test_less_memory_than_the_container_needs_is_refused(config, line):
    (problem,) = refused(config)
    assert problem.startswith(f"{FILE}: {line}")


def test_the_smallest_memory_each_container_is_given():
    out = render_config(with_redis(resources={"limits": {"memory": "16Mi"}},
                                   monitoring=EXPORTER | {"resources": {"limits": {
                                       "memory": "16Mi"}}})
                        | {"filebeat": with_filebeat(resources={"limits": {
                            "memory": "32Mi"}})["filebeat"]})
    assert "maxmemory 12mb" in conf(out.manifests)  # 75% of 16Mi: never 0
    # A daemon of a library user's own knows no floor above a mebibyte.
    from components import NodeDaemonConfig
    assert NodeDaemonConfig(name="agent", image="agent:1", resources={
        "limits": {"memory": "1Mi"}}).resources.limits.memory == "1Mi"


@pytest.mark.parametrize(("maxmemory", "hint"), [
    ("100m", f"; {MILLI} 100Mi"), ("1024", f"; {BARE} 1024Mi"), ("512Ki", ""),
])
def test_an_explicit_maxmemory_too_small_is_refused_the_same_way(maxmemory, hint):
    assert refused(with_redis(maxmemory=maxmemory)) == [
        f"{FILE}: redis.maxmemory: ({maxmemory}) must be a whole number of bytes from 1Mi to "
        f"1Pi{hint}"]


def test_a_derived_maxmemory_below_a_mebibyte_is_refused_whatever_the_floor(monkeypatch):
    # The floor keeps limits at 16Mi and up; were it lowered, the cap would
    # still never round down to 0, which redis reads as no cap at all.
    monkeypatch.setattr(RedisConfig, "memory_floor", None)
    assert refused(with_redis(resources={"limits": {"memory": "1Mi"}})) == [
        f"{FILE}: redis.resources.limits.memory: (1Mi) leaves redis a maxmemory of 0 bytes "
        "(75%, in whole MiB), which redis reads as no cap at all; give it at least 2Mi, "
        "or set maxmemory"]


QUANTITY = st.builds(lambda number, suffix: f"{number}{suffix}",
                     st.integers(min_value=0, max_value=5000),
                     st.sampled_from(["", "m", "k", "Ki", "M", "Mi", "G", "Gi"]))


@settings(max_examples=300, deadline=None, database=None)
@given(limit=QUANTITY)
def test_a_memory_limit_is_refused_or_caps_redis(limit):
    try:
        config = RedisConfig.model_validate(
            {"image": "redis:7", "resources": {"limits": {"memory": limit}}})
    except ValueError:  # pydantic's ValidationError: refused
        return
    maxmemory = config.maxmemory_bytes()
    assert maxmemory is not None and maxmemory >= 16 * 2**20 * 3 // 4

