"""The kubelet rotates a container's log by rename and create; lines survive it.

With `containerLogs.rotatedLogs` on, the input also reads the renamed file
(0.log.<time>), and the fingerprint carries filebeat's offset across the
rename, so even a filebeat held back by a stopped redis finishes the old
file. Off, only the file the link names is read: what filebeat had not read
of a renamed file when it let go of it is lost (docs/filebeat.md#rotated-logs).
"""

import time

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered
from tests.real.runtime.shipping import base, counted, messages, started

BATCH = 8_000


def rotated_under_backpressure(pipeline, node, rotated_logs: bool):
    """Three files' worth of lines, two rotations, while redis is down."""
    config = base(containerLogs={"rotatedLogs": rotated_logs})
    pipe = started(pipeline(config))
    log = ContainerLog(node.root, "rotating-1")
    case = f"rotation {'on' if rotated_logs else 'off'}"
    sent = numbered(case, 3 * BATCH, width=200)
    redis = pipe.redis["redis"]
    redis.stop(grace=30)
    log.write(sent[:BATCH])
    time.sleep(3)
    log.rotate()
    log.write(sent[BATCH:2 * BATCH])
    time.sleep(3)
    log.rotate()
    log.write(sent[2 * BATCH:])
    time.sleep(12)  # past filebeat's scans (10 s) and its close of removed files
    redis.start()
    pipe.wait_redis_ready()
    pipe.wait_message(sent[-1], timeout=120)
    time.sleep(5)
    return counted(case, len(sent), messages(pipe))


def test_with_rotated_logs_a_rotation_under_backpressure_loses_nothing(pipeline, node):
    result = rotated_under_backpressure(pipeline, node, rotated_logs=True)
    assert (result.lost, result.duplicated) == (0, 0), result


def test_without_rotated_logs_only_the_renamed_files_tail_is_at_risk(pipeline, node):
    result = rotated_under_backpressure(pipeline, node, rotated_logs=False)
    # The file the link names now is read whole; what is lost, if anything,
    # was in a renamed one. The count goes into the docs.
    assert all(n < 2 * BATCH for n in result.missing), result
    assert result.duplicated == 0, result


def test_a_rotation_while_filebeat_keeps_up_loses_nothing(pipeline, node):
    pipe = started(pipeline())  # rotatedLogs off, dev's default
    log = ContainerLog(node.root, "rotating-2")
    sent = numbered("rotation, keeping up", 4 * 2_500, width=200)
    for part in range(4):
        log.write(sent[part * 2_500:(part + 1) * 2_500])
        pipe.wait_message(sent[(part + 1) * 2_500 - 1])
        log.rotate()
    result = counted("rotation, keeping up", len(sent), messages(pipe))
    assert (result.lost, result.duplicated) == (0, 0), result
