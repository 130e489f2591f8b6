"""The buffer's list compression, in the rendered redis run by a real redis-server.

The generated list settings (redis.buffer) must hold several times the
events of redis' defaults in the same memory, and keep them through what a
persistent buffer goes through: an AOF rewrite, then a restart that loads
the file back. The figures themselves are the buffer benchmark's; this
checks that what is rendered is what redis runs.
"""

import json
import time

from benchmarks.corpus import corpus
from components.config.redis.buffer import Buffer
from tests.real.test_redis_server import pod  # noqa: F401  (the fixture)

GENERATED = Buffer()
STOCK = {"listCompressDepth": 0, "listMaxListpackSize": -2}
ROOMY = {"maxmemory": "64Mi", "resources": {"limits": {"memory": "256Mi"}},
         "deniedCommands": []}


def events(count: int, start: int = 0) -> list[str]:
    """Events shaped like filebeat's: the corpus' lines in a JSON envelope, numbered."""
    lines = [line for container in corpus(11, count) for line in container.lines][:count]
    return [json.dumps({"@timestamp": "2026-12-07T02:00:00.000Z", "message": line,
                        "n": start + n, "input": {"type": "filestream"},
                        "agent": {"type": "filebeat", "version": "9.3.0"},
                        "log": {"file": {"path": "/var/log/containers/app.log"}}})
            for n, line in enumerate(lines)]


def held(server, batch: list[str]) -> int:
    """used_memory grown by pushing `batch`, as filebeat does (RPUSH of many)."""
    with server.client() as client:
        before = client.info("memory")["used_memory"]
        for i in range(0, len(batch), 2048):
            client.rpush("filebeat", *batch[i:i + 2048])
        return client.info("memory")["used_memory"] - before


def test_the_generated_settings_are_what_redis_runs(pod):  # noqa: F811
    server = pod(**ROOMY)
    with server.client() as client:
        assert client.config_get("list-compress-depth") == {
            "list-compress-depth": str(GENERATED.list_compress_depth)}
        assert client.config_get("list-max-listpack-size") == {
            "list-max-listpack-size": str(GENERATED.list_max_listpack_size)}


def test_the_generated_buffer_holds_several_times_the_events_of_stock_redis(pod):  # noqa: F811
    batch = events(20_000)
    compressed = held(pod(**ROOMY), batch)
    stock = held(pod(buffer=STOCK, **ROOMY), batch)
    assert stock / compressed > 3, (stock, compressed)


def test_a_compressed_buffer_survives_an_aof_rewrite_and_a_restart(pod):  # noqa: F811
    server = pod(persistence={"enabled": True}, **ROOMY)
    first, then = events(15_000), events(5_000, start=15_000)
    held(server, first)
    with server.client() as client:
        client.bgrewriteaof()
        deadline = time.monotonic() + 60
        while client.info("persistence")["aof_rewrite_in_progress"] or \
                client.info("persistence")["aof_rewrite_scheduled"]:
            assert time.monotonic() < deadline, "the AOF rewrite did not finish in 60 s"
            time.sleep(0.1)
        assert client.info("persistence")["aof_last_bgrewrite_status"] == "ok"
    held(server, then)  # written to the new AOF's increment, after the rewrite
    with server.client() as client:
        memory = client.info("memory")["used_memory"]
    server.stop()
    server.start()
    with server.client() as client:
        kept = client.lrange("filebeat", 0, -1)
        assert kept == first + then
        # Loaded back compressed: not the several times more a plain list takes.
        assert client.info("memory")["used_memory"] < 1.3 * memory
