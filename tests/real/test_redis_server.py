"""The rendered redis, run by a real redis-server on 127.0.0.1.

The test does what the kubelet would, with the harness that runs every
rendered container (tests/real/runtime/): the ConfigMap and Secret laid out as
volumes, each mounted where the manifest says, and the container's own
command and args run under its user, groups and read-only root. So what is
checked is the manifest, not a config written for the test.
"""

import os
import secrets
import shutil
import socket
import time
from pathlib import Path

import pytest
import redis

from tests.configs import with_redis
from tests.real.runtime.images import load, runtime_missing
from tests.real.runtime.pod import Api, Node, free_port
from tests.real.runtime.pod import Pod as RuntimePod
from tests.real.runtime.rendered import render

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
REDIS_EXPORTER = shutil.which("redis_exporter")
MISSING = runtime_missing(("redis",))
# .ci/run installs redis-server and sets this, so that CI fails rather than
# skips when the install did not happen.
REQUIRED = os.environ.get("REDIS_SERVER_REQUIRED") == "1"
if MISSING and REQUIRED:
    pytest.fail(f"REDIS_SERVER_REQUIRED=1 but {MISSING}", pytrace=False)
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"{MISSING} (.ci/run installs redis-server)"),
    # One pytest-xdist worker runs them all: no two servers race for a free port.
    pytest.mark.xdist_group("redis-server"),
]

# Everything redis' config parser and filebeat's YAML could trip on.
PASSWORD = 'p@ss w"rd \\x41 \'quoted\' $HOME ünïcødé #not-a-comment'


class Pod:
    """The rendered redis Deployment's pod, its containers run as the kubelet
    would run them (tests/real/runtime/: one harness for every rendered container).
    Only the redis container (after any init containers) starts by itself."""

    def __init__(self, config: dict, root: Path):
        # As a stack file must: the password exactly when auth is on.
        secrets = {"redisPassword": PASSWORD} if config["redis"].get("auth", True) else {}
        rendered = render(config, secrets)
        self.manifests = rendered.manifests
        node = Node("node-a", root / "node", Api("127.0.0.1", free_port(), "", ""))
        images = {name: load(name) for name in ("redis", "redis-exporter")
                  if name == "redis" or REDIS_EXPORTER}
        self.pod = RuntimePod(rendered, "Deployment", "redis", node, images)
        self.redis = self.pod["redis"]
        self.container = self.redis.spec
        self.port = self.container["ports"][0]["containerPort"]
        # Each mount's folder on this machine, by the path the container sees.
        self.paths: dict[str, Path] = {
            mount["mountPath"]: self.redis.volumes[mount["name"]]
            for mount in self.container["volumeMounts"]}

    def local(self, text: str) -> str:
        """A rendered path as this machine sees it, for a process run outside the pod."""
        for mount_path, folder in sorted(self.paths.items(), key=lambda p: -len(p[0])):
            text = text.replace(mount_path + "/", f"{folder}/")
        return text

    def start(self) -> None:
        if not self.redis.starts:
            self.pod.initialize()
        self.redis.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not self.redis.running():
                pytest.fail(f"redis-server exited: {self.redis.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not listen within 10 s")

    def stop(self) -> None:
        for container in self.pod.containers.values():
            container.stop(grace=10)  # SIGTERM, as the kubelet; SIGKILL after

    def client(self, password: str | None = PASSWORD) -> redis.Redis:
        # RESP2, as filebeat speaks it; no retries, so a refusal is seen at once.
        return redis.Redis(host="127.0.0.1", port=self.port, password=password, protocol=2,
                           retry=None, socket_timeout=5, decode_responses=True)

    def probe(self, kind: str) -> int:
        """The rendered probe, run inside the container: its exit code (1 on a timeout)."""
        result = self.redis.probe(kind)
        return 1 if result.returncode is None else result.returncode


@pytest.fixture
def pod(tmp_path):
    pods: list[Pod] = []

    def run(**redis_fields) -> Pod:
        redis_fields.setdefault("containerPort", free_port())
        root = tmp_path / f"pod{len(pods)}"
        root.mkdir()
        started = Pod(with_redis(**redis_fields), root)
        pods.append(started)
        started.start()
        return started

    yield run
    for started in pods:
        started.stop()


SMALL = {"maxmemory": "2Mi", "resources": {"limits": {"memory": "64Mi"}}}
READS_CONFIG = {**SMALL, "deniedCommands": []}
"""For the tests that read redis' settings back with CONFIG GET, denied by default."""


def test_auth_is_required_and_the_rendered_password_works(pod):
    server = pod(**SMALL)
    with server.client(password=None) as anonymous, \
            pytest.raises(redis.AuthenticationError, match="Authentication required"):
        anonymous.ping()
    with server.client(password="wrong-password-of-length") as guess, \
            pytest.raises(redis.AuthenticationError):
        guess.ping()
    with server.client() as client:
        assert client.ping() is True


def test_the_buffer_refuses_writes_when_full_and_evicts_nothing(pod):
    server = pod(**READS_CONFIG)
    with server.client() as client:
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        assert client.config_get("maxmemory") == {"maxmemory": str(2 * 2**20)}
        pushed = 0
        full = "command not allowed when used memory > 'maxmemory'"
        with pytest.raises(redis.ResponseError, match=full):
            for pushed in range(1, 100_000):
                # Random, so that the list's compression cannot hold them all.
                client.rpush("filebeat", f"{pushed:08d}{secrets.token_hex(512)}")
        # Every entry that was accepted is still there, oldest first.
        assert client.llen("filebeat") == pushed - 1 > 100
        assert client.lindex("filebeat", 0).startswith("00000001")
        assert client.info("stats")["evicted_keys"] == 0
        # Draining makes room again: the buffer pushes back, it does not break.
        client.lpop("filebeat", 200)
        client.rpush("filebeat", "after-drain")


@pytest.mark.skipif(not REDIS_CLI, reason="redis-cli is not installed (package redis-tools)")
def test_the_rendered_probes_pass_and_fail_on_a_wrong_password(pod):
    server = pod(**SMALL)
    assert server.probe("readiness") == 0
    assert server.probe("liveness") == 0
    # The very file the probes read (a subPath mount), rewritten in place.
    password_file = server.paths["/etc/redis-auth/password"] / "password"
    password_file.write_text("not-the-password")
    assert server.probe("readiness") != 0  # NOAUTH/WRONGPASS is not PONG
    assert server.probe("liveness") != 0


@pytest.mark.skipif(not REDIS_CLI, reason="redis-cli is not installed (package redis-tools)")
def test_a_rotated_secret_leaves_the_probes_on_the_password_redis_started_with(pod):
    """The kubelet rewrites a Secret volume's folder when the Secret changes.
    Had the probes followed it, they would send the new password to this
    redis, which read the old one, and the liveness probe would restart it,
    dropping its buffer, before the rollout replaced it (docs/security.md)."""
    server = pod(**SMALL)
    rotated = render(with_redis(**SMALL), {"redisPassword": "a-rotated-password-of-length"})
    server.pod.secret_changed("redis-auth", rotated.secrets["redis-auth"])
    assert server.probe("readiness") == 0
    assert server.probe("liveness") == 0
    with server.client() as client:
        assert client.ping() is True


def test_with_persistence_a_restart_keeps_the_buffer(pod):
    server = pod(persistence={"enabled": True}, **READS_CONFIG)
    with server.client() as client:
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        # Not redis' default rules (3600 1 300 100 60 10000): no fork beside the AOF.
        assert client.config_get("save") == {"save": ""}
        client.rpush("filebeat", "one", "two", "three")
    server.stop()
    server.start()
    with server.client() as client:
        assert client.lrange("filebeat", 0, -1) == ["one", "two", "three"]


def test_configured_snapshots_are_the_ones_redis_runs(pod):
    server = pod(persistence={"enabled": True, "snapshots": [
        {"afterSeconds": 900, "changes": 1}, {"afterSeconds": 60, "changes": 10000}]},
        **READS_CONFIG)
    with server.client() as client:
        assert client.config_get("save") == {"save": "900 1 60 10000"}


def test_without_persistence_nothing_is_written_to_disk(pod):
    server = pod(**READS_CONFIG)
    with server.client() as client:
        assert client.config_get("appendonly") == {"appendonly": "no"}
        assert client.config_get("save") == {"save": ""}
