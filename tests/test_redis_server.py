"""The rendered redis, run by a real redis-server on 127.0.0.1.

The test does what the kubelet would: it writes the rendered ConfigMap and
Secret into folders, maps each volumeMount's path onto them, and runs the
container's own command and args. Only the listening address is pinned to
loopback. So what is checked is the manifest, not a config written for the
test.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from components.render.capture import _SECRET_SIG, _SIG_KEY, from_capture
from components.render.mockrun import run_with_mocks
from components.render.renderer import raw_config
from components.workloads.program import main
from tests.configs import with_redis

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
# .ci/run installs redis-server and sets this, so that CI fails rather than
# skips when the install did not happen.
REQUIRED = os.environ.get("REDIS_SERVER_REQUIRED") == "1"
if not REDIS_SERVER and REQUIRED:
    pytest.fail("REDIS_SERVER_REQUIRED=1 but redis-server is not on PATH", pytrace=False)
pytestmark = [
    pytest.mark.skipif(
        not REDIS_SERVER, reason="redis-server is not installed (apt-get install redis-server; "
                                 ".ci/run does this)"),
    # One pytest-xdist worker runs them all: no two servers race for a free port.
    pytest.mark.xdist_group("redis-server"),
]

# Everything redis' config parser and filebeat's YAML could trip on.
PASSWORD = 'p@ss w"rd \\x41 \'quoted\' $HOME ünïcødé #not-a-comment'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unwrap(value):
    """A secret as the mocks captured it, opened: only this test may look."""
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        return value["value"]
    return value


class Pod:
    """The redis container of a rendered stack, run as a local process."""

    def __init__(self, config: dict, root: Path):
        # As a stack file must: the password exactly when auth is on.
        secrets = {"redisPassword": PASSWORD} if config["redis"].get("auth", True) else {}
        capture = run_with_mocks(main, "test", raw_config(config, secrets))
        self.manifests = from_capture(capture.resources)
        inputs = {(r.type.rsplit(":", 1)[-1], r.name): r.inputs for r in capture.resources}
        deployment = self.manifests["Deployment"]["redis"]
        self.container = deployment["spec"]["template"]["spec"]["containers"][0]
        self.port = self.container["ports"][0]["containerPort"]
        # Each volume becomes a folder, holding what the kubelet would put there.
        self.paths: dict[str, Path] = {}
        for volume in deployment["spec"]["template"]["spec"]["volumes"]:
            folder = root / volume["name"]
            folder.mkdir()
            if "configMap" in volume:
                files = self.manifests["ConfigMap"][volume["configMap"]["name"]]["data"]
            elif "secret" in volume:
                files = unwrap(inputs[("Secret", volume["secret"]["secretName"])]["stringData"])
            else:
                files = {}
            for name, text in files.items():
                (folder / name).write_text(text)
            mount = next(m for m in self.container["volumeMounts"] if m["name"] == volume["name"])
            self.paths[mount["mountPath"]] = folder
        self.process: subprocess.Popen | None = None

    def local(self, text: str) -> str:
        for mount_path, folder in sorted(self.paths.items(), key=lambda p: -len(p[0])):
            text = text.replace(mount_path + "/", f"{folder}/").replace(f" {mount_path}\n",
                                                                       f" {folder}\n")
        return text

    def start(self) -> None:
        # redis.conf names the mount paths; point them at the folders.
        conf = next(p for m, p in self.paths.items() if m == "/etc/redis") / "redis.conf"
        conf.write_text(self.local(conf.read_text()))
        command = [*self.container["command"], *map(self.local, self.container["args"])]
        assert command[0] == "redis-server"
        # Options after the file override it: loopback only, and our log.
        self.process = subprocess.Popen(
            [REDIS_SERVER, *command[1:], "--bind", "127.0.0.1", "--daemonize", "no"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited: {self.process.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not listen within 10 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, 15)  # by PID, as the kubelet's SIGTERM
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, 9)
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def client(self, password: str | None = PASSWORD) -> redis.Redis:
        # RESP2, as filebeat speaks it; no retries, so a refusal is seen at once.
        return redis.Redis(host="127.0.0.1", port=self.port, password=password, protocol=2,
                           retry=None, socket_timeout=5, decode_responses=True)

    def probe(self, kind: str) -> int:
        command = self.container[f"{kind}Probe"]["exec"]["command"]
        return subprocess.run([self.local(part) for part in command],
                              capture_output=True, timeout=10).returncode


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
        entry = "x" * 1024
        pushed = 0
        full = "command not allowed when used memory > 'maxmemory'"
        with pytest.raises(redis.ResponseError, match=full):
            for pushed in range(1, 100_000):
                client.rpush("filebeat", f"{pushed:08d}{entry}")
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
    password_file = server.paths["/etc/redis-auth"] / "password"
    password_file.write_text("not-the-password")
    assert server.probe("readiness") != 0  # NOAUTH/WRONGPASS is not PONG
    assert server.probe("liveness") != 0


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
