"""Command denial and extra directives, run by a real redis-server.

The same harness as test_redis_server.py: the rendered ConfigMap and Secret
become files, and redis-server runs the container's own command on them.
"""

import re
import subprocess
import time
import urllib.request

import pytest
import redis

from components.config.redis.acl import DEFAULT_DENIED, EXPORTER_NEEDS, FILEBEAT_NEEDS
from components.config.redis.names import COMMANDS, DIRECTIVES, REDIS_VERSION
from tests.real import test_redis_server as redis_server
from tests.real.runtime.pod import free_port
from tests.real.test_redis_server import REDIS_SERVER, SMALL
from tests.real.tools import required_tool

# The same skip (or, in CI, failure) without redis-server, and the same one worker.
pytestmark = redis_server.pytestmark


pod = redis_server.pod
"""test_redis_server.py's fixture: a rendered redis started on a free port, stopped after."""


REDIS_EXPORTER, needs_the_exporter = required_tool(
    "redis_exporter", "REDIS_EXPORTER_REQUIRED", build="redis-exporter")


def drains_like_filebeat_and_a_reader(client: redis.Redis) -> None:
    """What filebeat sends on connect and then, and what a reader and the exporter send."""
    assert client.ping() is True
    assert client.execute_command("SELECT", 0) is True
    assert client.info("server")["redis_version"]
    assert client.rpush("filebeat", "one", "two", "three") == 3
    assert client.llen("filebeat") == 3
    assert client.type("filebeat") == "list"
    assert client.blpop(["filebeat"], timeout=1) == ("filebeat", "one")
    assert client.lpop("filebeat") == "two"
    assert client.publish("filebeat-channel", "event") == 0


def test_denied_commands_answer_noperm_and_the_password_still_holds(pod):
    server = pod(**SMALL)
    # The ACL line did not drop the password: still required, still the one.
    with server.client(password=None) as anonymous, \
            pytest.raises(redis.AuthenticationError, match="Authentication required"):
        anonymous.ping()
    with server.client(password="wrong-password-of-length") as guess, \
            pytest.raises(redis.AuthenticationError):
        guess.ping()
    with server.client() as client:
        drains_like_filebeat_and_a_reader(client)
        client.rpush("filebeat", "kept")
        for command in (["FLUSHALL"], ["FLUSHDB"], ["CONFIG", "GET", "*"],
                        ["CONFIG", "SET", "requirepass", ""], ["KEYS", "*"],
                        ["ACL", "SETUSER", "default", "+@all"], ["SHUTDOWN", "NOSAVE"],
                        ["REPLICAOF", "127.0.0.1", "1"], ["MONITOR"]):
            with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions"):
                client.execute_command(*command)
        assert client.lrange("filebeat", 0, -1) == ["three", "kept"]
        # DEBUG is refused before the ACL is asked, by redis 7's own
        # enable-debug-command no; the ACL rule is for whoever turns that on.
        with pytest.raises(redis.ResponseError, match="DEBUG command not allowed"):
            client.execute_command("DEBUG", "SLEEP", "0")


def test_without_auth_the_denials_hold_and_no_password_is_asked(pod):
    server = pod(auth=False, networkPolicy=False, **SMALL)
    with server.client(password=None) as client:
        drains_like_filebeat_and_a_reader(client)
        with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions"):
            client.flushall()


def test_an_empty_list_denies_nothing_and_keeps_the_password(pod):
    server = pod(deniedCommands=[], **SMALL)
    with server.client(password=None) as anonymous, pytest.raises(redis.AuthenticationError):
        anonymous.ping()
    with server.client() as client:
        client.rpush("filebeat", "gone")
        assert client.flushall() is True
        assert client.llen("filebeat") == 0


def test_what_the_exporter_sends_is_allowed(pod):
    server = pod(**SMALL)
    with server.client() as client:
        client.rpush("filebeat", "one")
        # exporter.go and keys.go (v1.88): INFO ALL is fatal to a scrape if
        # refused, the rest is logged; CONFIG is skipped (--config-command=-).
        assert "maxmemory" in client.info("all")
        assert client.info("memory")["maxmemory"] == 2 * 2**20
        assert client.execute_command("CLIENT", "SETNAME", "redis_exporter") == "OK"
        assert client.execute_command("SELECT", 0) is True
        assert client.type("filebeat") == "list"
        assert client.memory_usage("filebeat") > 0
        assert client.llen("filebeat") == 1
        assert client.execute_command("LATENCY", "LATEST") == []
        assert client.execute_command("SLOWLOG", "LEN") >= 0


def test_extra_directives_take_effect(pod):
    server = pod(deniedCommands=[], extraConfig={
        "hz": 20, "latency-monitor-threshold": 100, "lazyfree-lazy-user-del": True,
        "client-output-buffer-limit": ["pubsub", "32mb", "8mb", 60]}, **SMALL)
    with server.client() as client:
        assert client.config_get("hz") == {"hz": "20"}
        assert client.config_get("latency-monitor-threshold") == {
            "latency-monitor-threshold": "100"}
        assert client.config_get("lazyfree-lazy-user-del") == {"lazyfree-lazy-user-del": "yes"}
        assert "pubsub 33554432 8388608 60" in client.config_get(
            "client-output-buffer-limit")["client-output-buffer-limit"]


def test_files_named_in_its_dir_start_redis(pod):
    """The plain names the config accepts (a path is refused before render)."""
    server = pod(deniedCommands=[], extraConfig={
        "dbfilename": "buffer.rdb", "appendfilename": "buffer.aof",
        "appenddirname": "aof-buffer"}, **SMALL)
    with server.client() as client:
        assert client.config_get("dbfilename") == {"dbfilename": "buffer.rdb"}
        assert client.config_get("appenddirname") == {"appenddirname": "aof-buffer"}


def test_extra_directives_with_the_denials_on(pod):
    # CONFIG is denied: INFO shows the one that took effect.
    server = pod(extraConfig={"hz": 20, "latency-monitor-threshold": 100}, **SMALL)
    with server.client() as client:
        assert client.info("server")["hz"] == 20
        drains_like_filebeat_and_a_reader(client)


def test_the_names_match_the_installed_redis(pod):
    """The names came from redis 7.4.1's sources. An older redis (Debian 12's is
    7.0) knows fewer, each of them among ours; 7.4.1 itself knows exactly our
    commands (a directive may be hidden from CONFIG GET, so those are a subset)."""
    server = pod(deniedCommands=[], **SMALL)
    with server.client() as client:
        # Unparsed: redis-py reads COMMAND's replies in a shape of its own.
        connection = client.connection_pool.get_connection()
        try:
            connection.send_command("COMMAND", "LIST")
            commands = {name.lower() for name in connection.read_response()}
        finally:
            client.connection_pool.release(connection)
        assert set(client.config_get("*")) <= DIRECTIVES
        version = client.info("server")["redis_version"]
    assert commands == COMMANDS if version == REDIS_VERSION else commands <= COMMANDS
    needed = {*DEFAULT_DENIED, *EXPORTER_NEEDS, *FILEBEAT_NEEDS["list"],
              *FILEBEAT_NEEDS["channel"]}
    assert {name.lower() for name in needed} <= commands


def test_a_user_line_resets_what_requirepass_set(tmp_path):
    """Why the ACL line carries the password: redis sets requirepass' password
    first and loads `user` lines after, resetting the user, in either order."""
    port = free_port()
    (tmp_path / "auth.conf").write_text('requirepass "the-password-0123"\n')
    (tmp_path / "redis.conf").write_text(
        f"port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir {tmp_path}\n"
        "user default on ~* &* +@all -flushall\n"
        f"include {tmp_path}/auth.conf\n")
    server = subprocess.Popen([REDIS_SERVER, str(tmp_path / "redis.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password="the-password-0123",
                             protocol=2, retry=None, socket_timeout=5)
        deadline = time.monotonic() + 10
        while True:
            try:
                with pytest.raises(redis.AuthenticationError, match="invalid username-password"):
                    client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def scrape(port: int) -> str:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
                return reply.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@needs_the_exporter
def test_the_exporter_sends_nothing_denied_and_exports_what_the_alerts_read(pod):
    metrics_port = free_port()
    server = pod(monitoring={"enabled": True, "image": "oliver006/redis_exporter:v1.88.0",
                             "scraperNamespace": "monitoring", "port": metrics_port}, **SMALL)
    # The exporter container as rendered: its own args, mounts, user and probes.
    exporter = server.pod["redis-exporter"]
    with server.client() as client:
        with pytest.raises(redis.ResponseError, match="used memory > 'maxmemory'"):
            for n in range(100_000):  # to maxmemory, for the OOM counter the alert reads
                client.rpush("filebeat", f"{n:08d}" + "x" * 1024)
        exporter.start()
        try:
            scrape(metrics_port)
            metrics = scrape(metrics_port)  # a second scrape: nothing changes on repeat
            readiness = exporter.probe("readiness")
            assert readiness.ok, readiness.output
        finally:
            exporter.stop(grace=10)
        log = exporter.output()
        errors = client.info("errorstats")
    rules = server.manifests["PrometheusRule"]["redis"]["spec"]["groups"][0]["rules"]
    read = {name for rule in rules for name in re.findall(r"\b(redis_\w+)\{", rule["expr"])}
    assert read == {"redis_memory_used_bytes", "redis_memory_max_bytes", "redis_key_size",
                    "redis_commands_total", "redis_errors_total", "redis_up"}
    series = dict(line.rsplit(" ", 1) for line in metrics.splitlines()
                  if line.startswith("redis_"))
    assert read <= {name.split("{")[0] for name in series}, log
    assert float(series["redis_up"]) == 1
    assert float(series["redis_memory_max_bytes"]) == 2 * 2**20
    assert float(series['redis_key_size{db="db0",key="filebeat"}']) > 100
    assert float(series['redis_errors_total{err="OOM"}']) == 1
    # No command it sent was refused: redis counts each NOPERM in errorstats.
    assert "errorstat_NOPERM" not in errors, log
    assert not any(name.startswith("redis_config_") for name in series)
