"""The DaemonSet's own probes, and the redis password, as the pods use them.

The probes run exactly as rendered, inside the running container, as the
kubelet's exec probe does (docs/filebeat.md: liveness asks filebeat's HTTP
endpoint; readiness asks redis for PONG with the pod's address and password,
so a pod that cannot reach redis is not ready and a rollout with a broken
output stops).
"""

import pytest

from components.workloads.filebeat.yml import output_auth_yml
from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered, wait_for
from tests.real.runtime.shipping import base, counted, messages, started


def test_both_probes_pass_while_redis_answers(pipeline):
    pipe = started(pipeline())
    filebeat = pipe.filebeat["filebeat"]
    wait_for(lambda: filebeat.probe("liveness").ok, 30,
             f"the liveness probe ({filebeat.probe('liveness').output})")
    readiness = filebeat.probe("readiness")
    assert readiness.ok, readiness.output


def test_readiness_fails_while_redis_is_down_and_liveness_holds(pipeline):
    pipe = started(pipeline())
    filebeat = pipe.filebeat["filebeat"]
    wait_for(lambda: filebeat.probe("liveness").ok, 30, "the liveness probe")
    pipe.redis["redis"].stop(grace=30)
    readiness = filebeat.probe("readiness")
    assert not readiness.ok, readiness.output
    assert readiness.returncode is not None, "the probe outlived its timeoutSeconds"
    assert filebeat.probe("liveness").ok  # not restarted for redis' sake
    pipe.redis["redis"].start()
    pipe.wait_redis_ready()
    wait_for(lambda: filebeat.probe("readiness").ok, 30, "readiness once redis is back")


def test_a_wrong_password_ships_nothing_says_why_and_keeps_trying(pipeline, node):
    pipe = pipeline()
    # The filebeat pod's copy of the password, wrong: as after a rotation
    # that reached redis and not yet filebeat.
    for file in pipe.filebeat.dir.glob("volumes/redis-auth/*"):
        file.write_text(file.read_text().replace(pipe.secrets["redisPassword"],
                                                 "not-the-password-at-all"))
    started(pipe)
    log = ContainerLog(node.root, "auth-1")
    sent = numbered("wrong password, then right", 2_000, width=200)
    log.write(sent)
    filebeat = pipe.filebeat["filebeat"]
    wait_for(lambda: "WRONGPASS" in filebeat.output(), 60, "filebeat's log saying why")
    assert pipe.length() == 0
    assert filebeat.running()
    readiness = filebeat.probe("readiness")
    assert not readiness.ok
    assert "redis answered AUTH with -WRONGPASS" in readiness.output
    # The right password, in a new pod (a changed Secret rolls the DaemonSet).
    filebeat.stop(grace=30)
    pipe.filebeat = pipe.new_filebeat()
    pipe.filebeat.start()
    pipe.wait_message(sent[-1])
    result = counted("wrong password, then right", len(sent), messages(pipe))
    assert (result.lost, result.duplicated) == (0, 0), result


ROTATED = "the-rotated-password-redis-does-not-know-yet"


@pytest.mark.parametrize("source", ["redisPassword", "existingSecret"])
def test_the_probe_sends_the_password_filebeat_started_with(pipeline, node, source):
    """A rotation reaches the Secret while this pod runs; the kubelet updates
    the pod's Secret volumes in place, and filebeat keeps shipping with the
    password it read at start. The readiness probe must say what filebeat
    does: ready while redis takes that password, not ready once redis asks
    for the new one (docs/security.md)."""
    if source == "existingSecret":
        config = base(redis={"existingSecret": {"name": "redis-credentials", "key": "pw"}})
        pipe = started(pipeline(config, existing_password="the-password-filebeat-started"))
        changed = {"pw": ROTATED}
        secret = "redis-credentials"
    else:
        pipe = started(pipeline())
        changed = {"output-auth.yml": output_auth_yml(ROTATED), "password": ROTATED}
        secret = "filebeat-redis-auth"  # our own, `<filebeat name>-redis-auth`
    filebeat = pipe.filebeat["filebeat"]
    wait_for(lambda: filebeat.probe("readiness").ok, 30,
             f"readiness before the change ({filebeat.probe('readiness').output})")
    pipe.filebeat.secret_changed(secret, changed)
    # Redis has not rolled: filebeat ships, and the probe agrees.
    log = ContainerLog(node.root, "rotated-1")
    sent = numbered("secret changed", 200)
    log.write(sent)
    pipe.wait_message(sent[-1])
    readiness = filebeat.probe("readiness")
    assert readiness.ok, readiness.output
    # Redis has rolled to the new password, filebeat's pod not yet: redis
    # refuses filebeat, and the probe says so.
    pipe.roll_redis(ROTATED)
    readiness = filebeat.probe("readiness")
    assert not readiness.ok
    assert "redis answered AUTH with -WRONGPASS" in readiness.output
