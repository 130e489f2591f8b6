"""redis.existingSecret's start-up steps, run for real with sh, and redis and
filebeat with what they write.

The steps run as the rendered init containers' own commands, in each shell the
pods may have (tests/real/existing_secret_startup.py lays the pod out as the
kubelet would). Then redis-server starts with the rendered redis.conf, which
includes what the step wrote, and redis-cli must authenticate with exactly the
Secret's password, as the probes must, even once the Secret is rotated; and
filebeat's fragment must parse to exactly that password. The passwords that
must stop the steps are in test_existing_secret_startup_refusals.py.
"""

import json
import os
import socket
import subprocess
import time

import pytest
import yaml

from components.config.redis.model import RedisConfig
from tests.configs import with_redis
from tests.real import existing_secret_startup as startup
from tests.real.existing_secret_startup import REDIS_CLI, REDIS_SERVER, TRICKY, Pod, rendered
from tests.real.runtime.pod import free_port

pytestmark = startup.MARKS
shell_env = startup.shell_env
"""The shell the steps run in: the system's sh, then busybox's applets alone."""

needs_redis = pytest.mark.skipif(
    not (REDIS_SERVER and REDIS_CLI),
    reason="redis-server or redis-cli is not installed (apt-get install redis-server; "
           ".ci/run does this)")


class RedisServer:
    def __init__(self, pod: Pod, port: int):
        self.pod, self.port = pod, port
        self.container = pod.spec["containers"][0]
        conf = pod.file("config", "redis.conf")
        conf.write_text(pod.local(self.container, conf.read_text()))
        command = [pod.local(self.container, part)
                   for part in [*self.container["command"], *self.container["args"]]]
        assert command[0] == "redis-server"
        self.process = subprocess.Popen(
            [REDIS_SERVER, *command[1:], "--bind", "127.0.0.1", "--daemonize", "no"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited: {self.process.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("redis-server did not listen within 10 s")

    def cli(self, *args: str, password: str | None) -> str:
        env = {"PATH": os.environ["PATH"]}
        if password is not None:
            env["REDISCLI_AUTH"] = password  # as the probes pass it: never on the command line
        return subprocess.run([REDIS_CLI, "-p", str(self.port), *args], env=env,
                              capture_output=True, text=True, timeout=10).stdout.strip()

    def probe(self, kind: str) -> int:
        command = self.container[f"{kind}Probe"]["exec"]["command"]
        return subprocess.run([self.pod.local(self.container, part) for part in command],
                              capture_output=True, timeout=10).returncode

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, 9)
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


@pytest.fixture
def redis_server():
    started: list[RedisServer] = []

    def start(pod: Pod, port: int) -> RedisServer:
        started.append(RedisServer(pod, port))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@needs_redis
def test_with_no_denials_the_step_writes_requirepass(shell_env, redis_server, tmp_path):
    port = free_port()
    pod = Pod(rendered(port=port, deniedCommands=[]), "Deployment", "redis",
              TRICKY[0].encode(), tmp_path)
    step = pod.run_init(shell_env)
    assert step.returncode == 0, step.stderr
    from components.workloads.redis.conf import auth_conf

    assert pod.file("auth-files", "auth.conf").read_text() == auth_conf(TRICKY[0])
    server = redis_server(pod, port)
    assert server.cli("ping", password=TRICKY[0]) == "PONG"
    assert server.cli("ping", password=TRICKY[0] + "x").startswith("NOAUTH")
    assert server.cli("dbsize", password=TRICKY[0]) == "0"  # nothing denied


@needs_redis
@pytest.mark.parametrize("password", TRICKY, ids=range(len(TRICKY)))
def test_redis_requires_exactly_the_secrets_password(password, shell_env, redis_server,
                                                     tmp_path):
    port = free_port()
    pod = Pod(rendered(monitoring=True, port=port), "Deployment", "redis",
              password.encode(), tmp_path)
    step = pod.run_init(shell_env)
    assert step.returncode == 0, step.stderr
    assert step.stderr == ""
    from components.workloads.redis.acl import default_user_rules
    from components.workloads.redis.conf import auth_conf

    # Escaped exactly as our own Secret's auth.conf is, in the default
    # user's line with the command denials (redis.deniedCommands' default).
    rules = default_user_rules(RedisConfig.model_validate(with_redis()["redis"]))
    assert rules is not None and "-flushall" in rules
    assert pod.file("auth-files", "auth.conf").read_text() == auth_conf(password, rules)
    assert json.loads(pod.file("auth-files", "exporter-passwords.json").read_text()) == {
        f"redis://localhost:{port}": password}
    for written in pod.folders["auth-files"].iterdir():
        assert written.stat().st_mode & 0o077 == 0, written.name  # the step's umask 077
    server = redis_server(pod, port)
    assert server.cli("ping", password=password) == "PONG"
    assert server.cli("ping", password=None).startswith("NOAUTH")
    # A near miss is refused too: redis-cli's AUTH fails, so the PING is unauthenticated.
    assert server.cli("ping", password=password + "x").startswith("NOAUTH")
    assert server.cli("flushall", password=password).startswith("NOPERM")
    assert server.probe("readiness") == 0
    assert server.probe("liveness") == 0


@needs_redis
def test_a_rotated_secret_leaves_the_running_pod_healthy(shell_env, redis_server, tmp_path):
    """The kubelet rewrites a mounted Secret in place. The probes send the
    password redis started with, so they keep passing until the pod rolls,
    and the liveness probe does not restart redis (and empty the buffer)."""
    port = free_port()
    old = "the-password-before-the-rotation"
    pod = Pod(rendered(port=port), "Deployment", "redis", old.encode(), tmp_path)
    assert pod.run_init(shell_env).returncode == 0
    server = redis_server(pod, port)
    pod.file("existing-auth", "password").write_text("the-password-after-the-rotation")
    assert server.probe("readiness") == 0
    assert server.probe("liveness") == 0
    assert server.cli("ping", password=old) == "PONG"


@pytest.mark.parametrize("password", TRICKY, ids=range(len(TRICKY)))
def test_filebeat_reads_exactly_the_secrets_password(password, shell_env, tmp_path):
    pod = Pod(rendered(), "DaemonSet", "filebeat", password.encode(), tmp_path)
    step = pod.run_init(shell_env)
    assert step.returncode == 0, step.stderr
    fragment = pod.file("redis-auth-files", "output-auth.yml").read_text()
    # filebeat's -c merges it as YAML; a JSON string is a YAML scalar too.
    assert yaml.safe_load(fragment) == {"output.redis.password": password}
    assert fragment.count("\n") == 1
    # And the bytes themselves, which the readiness probe sends.
    assert pod.file("redis-auth-files", "password").read_bytes() == password.encode()
