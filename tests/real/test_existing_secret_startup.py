"""The start-up steps of redis.existingSecret, run for real with sh, and redis with what they write.

As tests/real/test_redis_server.py does for the rest of the pod, the test does
what the kubelet would: it lays out each rendered volume as a folder (the
existing Secret's one key under the name its `items` give it), maps each
container's volumeMounts onto them, and runs the init container's own
command and args with `sh`. Then it starts redis-server with the rendered
redis.conf, which includes what the step wrote, and authenticates with
redis-cli. Each shell the pods may have runs the scripts: the system's sh
(dash on Debian and Ubuntu, as in redis' Debian and filebeat's images), and,
when busybox is installed, busybox with nothing but its own applets on PATH,
as in redis' alpine images.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from components.config.redis.model import RedisConfig
from components.render.renderer import raw_config, render
from tests.configs import with_redis
from tests.real.runtime.pod import free_port

SH = shutil.which("sh")
BUSYBOX = shutil.which("busybox")
REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
# As in test_redis_server.py: CI installs redis-server and busybox and sets
# this, so a missing install fails the run instead of skipping these tests.
REQUIRED = os.environ.get("REDIS_SERVER_REQUIRED") == "1"
if REQUIRED and not (SH and BUSYBOX and REDIS_SERVER and REDIS_CLI):
    pytest.fail("REDIS_SERVER_REQUIRED=1 but sh, busybox, redis-server or redis-cli is not on "
                "PATH", pytrace=False)
pytestmark = [
    pytest.mark.skipif(not SH, reason="no sh on PATH to run the start-up scripts with"),
    pytest.mark.xdist_group("redis-server"),
]
needs_redis = pytest.mark.skipif(
    not (REDIS_SERVER and REDIS_CLI),
    reason="redis-server or redis-cli is not installed (apt-get install redis-server; "
           ".ci/run does this)")

EXPORTER = "oliver006/redis_exporter:v1.88.0"
TRICKY = [
    # Everything redis' config parser, JSON and filebeat's YAML could trip on.
    'p@ss w"rd \\x41 \'quoted\' $HOME ünïcødé #not-a-comment',
    'a,b,c: [list] {map} - &anchor *alias !tag |block >fold %dir `tick` ~ ?',
    '\\"\\\\" ends in a backslash \\',
    '"starts and ends with quotes"',
    "emoji \U0001F512 and CJK 密码 and RTL שלום, 16+",
    "x" * 16,
    "é" * 512,
]
REFUSED = [
    ("sixteen-characters-then-a-newline\n", "ends with a line break"),
    ("sixteen-characters-\x07-a-bell", "must not contain control characters or line breaks"),
    ("sixteen-characters\r\nand-more", "must not contain control characters or line breaks"),
    ("sixteen-characters-\u2028-separator", "must not contain control characters or line breaks"),
    ("sixteen-characters-${HOME}", "must not contain ${: filebeat would expand it"),
    ("fifteen-chars-x", "must be 16 to 512 characters long"),
    ("x" * 513, "must be 16 to 512 characters long"),
    ("é" * 513, "must be 16 to 512 characters long"),
    ("x" * 3000, "is longer than 512 characters"),
]
REFUSED_BYTES = [
    (b"sixteen-characters-\xff-not-utf-8", "is not UTF-8 text"),
    (b"sixteen-characters-\xc0\xaf-overlong", "is not UTF-8 text"),
    (b"sixteen-characters-\xed\xa0\x80-surrogate", "is not UTF-8 text"),
    (b"sixteen-characters-\x00-a-nul", "must not contain control characters or line breaks"),
]


def busybox_path(folder: Path) -> str:
    """A PATH with busybox's applets only, as in an alpine image."""
    folder.mkdir()
    for applet in ("sh", "od", "awk", "sed", "wc", "tr", "cat", "printf"):
        (folder / applet).symlink_to(BUSYBOX)
    return str(folder)


@pytest.fixture(params=["sh", "busybox"])
def shell_env(request, tmp_path) -> dict[str, str]:
    """The environment the scripts run in: PATH decides the shell and tools."""
    if request.param == "busybox":
        if not BUSYBOX:
            pytest.skip("busybox is not installed (apt-get install busybox)")
        return {"PATH": busybox_path(tmp_path / "busybox")}
    return {"PATH": os.environ["PATH"]}


def rendered(monitoring: bool = False, port: int = 6379, **redis) -> dict:
    """The manifests of a stack whose password is in Secret `creds`, key `pw`."""
    fields: dict = {"existingSecret": {"name": "creds", "key": "pw"}, "containerPort": port,
                    **redis}
    if monitoring:
        fields |= {"resources": {"limits": {"memory": "64Mi"}}, "maxmemory": "2Mi",
                   "monitoring": {"enabled": True, "image": EXPORTER,
                                  "scraperNamespace": "monitoring"}}
    return render(raw_config(with_redis(**fields)), "test").manifests


class Pod:
    """A rendered pod's volumes as folders, with the existing Secret holding `password`."""

    def __init__(self, manifests, kind: str, name: str, password: bytes, root: Path):
        self.spec = manifests[kind][name]["spec"]["template"]["spec"]
        self.folders: dict[str, Path] = {}
        for volume in self.spec["volumes"]:
            folder = self.folders[volume["name"]] = root / volume["name"]
            folder.mkdir()
            if "configMap" in volume:
                for file, text in manifests["ConfigMap"][volume["configMap"]["name"]][
                        "data"].items():
                    (folder / file).write_text(text)
            elif "secret" in volume:
                assert volume["secret"]["secretName"] == "creds"
                [item] = volume["secret"]["items"]
                assert item["key"] == "pw"
                (folder / item["path"]).write_bytes(password)

    def local(self, container: dict, text: str) -> str:
        """`text` with the container's mount paths pointing at the folders."""
        for mount in sorted(container.get("volumeMounts", []),
                            key=lambda m: -len(m["mountPath"])):
            folder = self.folders[mount["name"]]
            text = text.replace(mount["mountPath"] + "/", f"{folder}/").replace(
                f" {mount['mountPath']}\n", f" {folder}\n")  # redis.conf's `dir /data`
        return text

    def run_init(self, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        [init] = self.spec["initContainers"]
        command = [*init["command"], *init["args"]]
        assert command[:2] == ["sh", "-c"]
        # Only the paths change: the script runs as the manifest has it.
        return subprocess.run([self.local(init, part) for part in command],
                              env=env, capture_output=True, text=True, timeout=30)

    def file(self, volume: str, name: str) -> Path:
        return self.folders[volume] / name


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


@pytest.mark.parametrize(("password", "why"), [
    *((text.encode(), why) for text, why in REFUSED), *REFUSED_BYTES],
    ids=[*(f"refused-{n}" for n in range(len(REFUSED))),
         *(f"bytes-{n}" for n in range(len(REFUSED_BYTES)))])
@pytest.mark.parametrize(("kind", "name", "written"), [
    ("Deployment", "redis", "auth-files"), ("DaemonSet", "filebeat", "redis-auth-files")])
def test_a_password_breaking_the_rules_stops_the_pod_without_quoting_it(
        password, why, kind, name, written, shell_env, tmp_path):
    pod = Pod(rendered(monitoring=True), kind, name, password, tmp_path)
    step = pod.run_init(shell_env)
    assert step.returncode != 0
    assert step.stdout == ""
    [line] = step.stderr.splitlines()
    assert line.startswith("redis-auth: the redis password in Secret creds, key pw, ")
    assert why in line
    # Not the value, nor any recognisable part of it.
    text = password.decode(errors="replace")
    assert text not in step.stderr
    assert not any(part in step.stderr for part in ("sixteen-characters", "fifteen", "xxxx",
                                                    "éé"))
    assert list(pod.folders[written].iterdir()) == []  # nothing half-written for redis to read


def test_the_rules_are_redis_passwords_own():
    """Every refused password is refused by redisPassword's validator too, and
    every tricky one passes it: one set of rules, whichever way it comes."""
    from pydantic import ValidationError

    from components import StackConfig
    from tests.configs import minimal

    def accepted(text: str) -> bool:
        try:
            StackConfig.model_validate(minimal() | {"redisPassword": text})
        except ValidationError:
            return False
        return True

    assert all(accepted(text) for text in TRICKY)
    assert not any(accepted(text) for text, _ in REFUSED)
    assert not any(accepted(data.decode(errors="surrogateescape")) for data, _ in REFUSED_BYTES)
