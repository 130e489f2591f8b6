"""The pods work under their own security contexts, as a runtime applies them.

Each container runs with the user, groups, capabilities and read-only root
its manifest asks for (tests/real/runtime/confinement.py), and still does its job:
the other tests here ship logs through them. These look inside.
"""

from tests.real.runtime.pipeline import wait_for
from tests.real.runtime.shipping import started


def test_filebeat_runs_as_root_without_a_capability_on_a_read_only_root(pipeline):
    pipe = started(pipeline())
    filebeat = pipe.filebeat["filebeat"]
    wait_for(lambda: filebeat.probe("liveness").ok, 30, "filebeat's endpoint")
    status = filebeat.process_status("filebeat")
    assert status["Uid"].split()[0] == "0"
    assert status["CapEff"] == status["CapBnd"] == "0000000000000000"
    assert status["NoNewPrivs"] == "1"
    written = filebeat.exec(["sh", "-c", "echo x > /usr/share/filebeat/x"])
    assert not written.ok and "Read-only file system" in written.output
    # Only the registry is writable: filebeat keeps its state there.
    assert filebeat.exec(["sh", "-c", "ls /usr/share/filebeat/data/registry"]).ok


def test_redis_runs_as_its_user_with_its_group_on_its_volumes(pipeline):
    pipe = pipeline()
    pipe.redis.start()
    pipe.wait_redis_ready()
    redis = pipe.redis["redis"]
    status = redis.process_status("redis-server")
    assert status["Uid"].split()[0] == status["Gid"].split()[0] == "10001"
    assert status["Groups"].split() == ["10001"]
    assert status["CapEff"] == "0000000000000000"
    # The fsGroup reads the 0440 password file; nobody else could.
    listing = redis.exec(["ls", "-ln", "/etc/redis-auth/password"])
    assert listing.output.split()[0] == "-r--r-----" and listing.output.split()[3] == "10001"
    assert not redis.exec(["sh", "-c", "echo x > /x"]).ok
