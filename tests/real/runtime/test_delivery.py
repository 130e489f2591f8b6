"""Nothing is lost when redis is full, when filebeat dies, when redis restarts.

These are the buffer's promises (docs/buffer.md): `noeviction` refuses a
write rather than drop a log, filebeat retries until redis takes it, and its
registry on the node resumes where the dead pod stopped. Duplicates are
allowed where at-least-once delivery explains them, and reported.
"""

import secrets
import time

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered, wait_for
from tests.real.runtime.shipping import base, counted, messages, started


def test_a_full_buffer_pushes_back_and_loses_nothing_once_drained(pipeline, node):
    # 4 MiB of buffer, and 20 MiB of events to put in it. Random hex, as trace IDs
    # are, so that the list's compression cannot make room for them all.
    pipe = started(pipeline(base(redis={"maxmemory": "4Mi"})))
    log = ContainerLog(node.root, "chatty-1")
    sent = [f"{line} {secrets.token_hex(128)}"
            for line in numbered("full buffer", 20_000, width=100)]
    log.write(sent)
    with pipe.client() as client:
        wait_for(lambda: client.info("errorstats").get("errorstat_OOM", {}).get("count", 0) > 0,
                 90, "redis refusing a write with OOM")
        stalled = client.llen(pipe.key)
        assert client.info("stats")["evicted_keys"] == 0
    assert pipe.filebeat["filebeat"].running()
    # A reader drains the list; filebeat's retries then fill it again.
    received: list[str] = []
    deadline = time.monotonic() + 180
    while len(received) < len(sent) and time.monotonic() < deadline:
        batch = pipe.drain(1000)
        received += [event["message"] for event in batch]
        if not batch:
            time.sleep(0.2)
    result = counted("full buffer", len(sent), received)
    assert stalled < len(sent)
    assert result.lost == 0, result


def test_filebeat_killed_mid_stream_resumes_from_its_registry(pipeline, node):
    pipe = started(pipeline())
    log = ContainerLog(node.root, "steady-1")
    sent = numbered("filebeat SIGKILL", 30_000, width=200)
    log.write(sent[:15_000])
    pipe.wait_length(2_000)
    pipe.filebeat["filebeat"].kill()  # SIGKILL, mid-stream
    log.write(sent[15_000:])
    pipe.filebeat = pipe.new_filebeat()  # the DaemonSet's next pod, same node
    pipe.filebeat.start()
    pipe.wait_message(sent[-1])
    time.sleep(2)  # what was still in flight
    result = counted("filebeat SIGKILL", len(sent), messages(pipe))
    assert result.lost == 0, result


def restarted_redis(pipeline, node, stop: str):
    config = base(redis={"persistence": {"enabled": True, "size": "1Gi"}})
    pipe = started(pipeline(config))
    log = ContainerLog(node.root, "steady-2")
    sent = numbered(f"redis {stop}", 20_000, width=200)
    log.write(sent[:10_000])
    pipe.wait_length(3_000)
    redis = pipe.redis["redis"]
    if stop == "SIGTERM":
        redis.stop(grace=30)
    else:
        redis.kill()
    log.write(sent[10_000:])
    time.sleep(2)  # filebeat finds redis gone and retries
    redis.start()
    pipe.wait_redis_ready(60)
    pipe.wait_message(sent[-1], timeout=120)
    time.sleep(1)
    return counted(f"redis {stop}", len(sent), messages(pipe))


def test_redis_stopped_and_restarted_with_its_aof_loses_nothing(pipeline, node):
    result = restarted_redis(pipeline, node, "SIGTERM")
    assert result.lost == 0, result


def test_redis_killed_loses_only_writes_from_before_the_kill(pipeline, node):
    # appendfsync everysec: what redis acknowledged in the last second before
    # a SIGKILL may not be on disk yet (docs/buffer.md). Every line written
    # after the kill must arrive: filebeat held them until redis was back.
    result = restarted_redis(pipeline, node, "SIGKILL")
    assert all(n < 10_000 for n in result.missing), result
