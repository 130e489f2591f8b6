"""The kubelet's part in the tests of redis.existingSecret's start-up steps
(tests/real/test_existing_secret_startup*.py), shared so that the steps that
must write the password and those that must refuse it run the same way.

As tests/real/test_redis_server.py does for the rest of the pod, `Pod` does
what the kubelet would: it lays out each rendered volume as a folder (the
existing Secret's one key under the name its `items` give it), maps each
container's volumeMounts onto them, and runs the init container's own
command and args with `sh`. Each shell the pods may have runs the scripts
(`shell_env`): the system's sh (dash on Debian and Ubuntu, as in redis'
Debian and filebeat's images), and, when busybox is installed, busybox with
nothing but its own applets on PATH, as in redis' alpine images.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from components.render.renderer import raw_config, render
from tests.configs import with_redis

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
MARKS = [
    pytest.mark.skipif(not SH, reason="no sh on PATH to run the start-up scripts with"),
    pytest.mark.xdist_group("redis-server"),
]
"""Every start-up test's marks: skipped without sh, and run by the one worker
that runs every test starting a redis-server (test_redis_server.py's group)."""

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
