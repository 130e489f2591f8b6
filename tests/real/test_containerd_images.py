"""toolchain/images --import into a containerd of the test's own, and each stand-in run there.

What the real node's kubelet will ask of them, short of a kubelet: that
containerd takes the archives under their local names, and that each image
alone, with no host root below it, runs what our pods run in it: filebeat
through its entrypoint, redis answering its probe's pipeline, both start-up
steps of `existingSecret` in their workload's own image, the exporter from
scratch, and pause stopping on SIGTERM as a sandbox must.

Needs root, containerd, ctr and runc (apt-get install containerd runc), the
toolchain's filebeat and redis_exporter on PATH (as tests/runtime does) and
cc for pause. Without one it skips, saying which; .ci/run sets
CONTAINERD_REQUIRED=1, and then a missing piece fails instead.
"""

import os
import shutil
import subprocess
import time

import pytest

from components.workloads.auth_startup import FILEBEAT_SCRIPT, REDIS_SCRIPT
from tests.real import containerd
from toolchain.imaging.stand_ins import TOOLCHAIN, stand_ins

REQUIRED = os.environ.get("CONTAINERD_REQUIRED") == "1"


def why_not() -> str | None:
    reason = containerd.missing()
    if reason:
        return reason
    for tool, build in (("filebeat", "filebeat"), ("redis_exporter", "redis-exporter")):
        if not shutil.which(tool):
            return f"{tool} is not on PATH (toolchain/build {build})"
    if not shutil.which("cc"):
        return "cc is not on PATH (toolchain/build pause compiles pause.c: apt-get install gcc)"
    return None


MISSING = why_not()
if MISSING and REQUIRED:
    pytest.fail(f"CONTAINERD_REQUIRED=1 but {MISSING}", pytrace=False)
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"{MISSING}; .ci/run makes these required"),
    # One containerd for the module: one worker runs it all.
    pytest.mark.xdist_group("containerd"),
]
SPECS = {s.name: s.spec for s in stand_ins()}
PASSWORD = 'p@ss w"rd \\ ünïcødé, sixteen+'


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    daemon = containerd.Containerd(tmp_path_factory.mktemp("containerd"))
    try:
        run = subprocess.run([TOOLCHAIN / "images", "--import", "--address", daemon.address],
                             capture_output=True, text=True, timeout=1200)
        assert run.returncode == 0, run.stderr[-3000:]
        images = dict(line.split("=", 1) for line in run.stdout.splitlines())
        yield daemon, images
    finally:
        left = daemon.stop()
    assert left == [], f"left on the host: {left}"


def entrypoint(name: str) -> list[str]:
    return SPECS[name]["config"]["Entrypoint"]


def test_the_stand_ins_are_imported_under_local_names(node):
    daemon, images = node
    assert set(images) == set(SPECS)
    listed = daemon.ctr("images", "ls", "-q").stdout.split()
    for image in images.values():
        assert image.startswith("localhost/redis-filebeat/")
        assert image in listed


def test_filebeat_runs_through_its_entrypoint(node):
    daemon, images = node
    run = daemon.run(images["filebeat"], "filebeat-version", *entrypoint("filebeat"), "version")
    assert run.returncode == 0, run.stderr
    version, _, commit = images["filebeat"].rpartition(":")[2].rpartition("-")
    assert f"filebeat version {version} (amd64)" in run.stdout and f"[{commit} built" in run.stdout

    # With the image's own Cmd, filebeat starts and looks for the config Elastic's
    # image has in home and the stand-in does not (toolchain/README.md).
    run = daemon.run(images["filebeat"], "filebeat-cmd", *entrypoint("filebeat"),
                     *SPECS["filebeat"]["config"]["Cmd"])
    assert "error loading config file: stat filebeat.yml" in run.stdout + run.stderr

    # Anything not a filebeat command runs as given, as the user Elastic's image has.
    run = daemon.run(images["filebeat"], "filebeat-shell", *entrypoint("filebeat"), "sh", "-c",
                     "id -u; id -G; pwd; command -v filebeat; curl --version >/dev/null && "
                     "echo curl runs")
    assert run.returncode == 0, run.stderr
    uid, groups, home, filebeat, curl = run.stdout.splitlines()
    assert (uid, home, filebeat, curl) == ("1000", "/usr/share/filebeat",
                                           "/usr/share/filebeat/filebeat", "curl runs")
    assert "0" in groups.split()


def test_redis_answers_its_probe(node):
    daemon, images = node
    started = subprocess.run(daemon.run_args(images["redis"], "redis", "-d"),
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 15
        while True:
            probe = daemon.exec("redis", "sh", "-c", "redis-cli ping | grep PONG", check=False)
            if probe.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert probe.returncode == 0 and probe.stdout == "PONG\n", probe.stderr
        whoami = daemon.exec("redis", "sh", "-c", "id -u; pwd")
        assert whoami.stdout.split() == ["999", "/data"]
    finally:
        daemon.ctr("task", "delete", "--force", "redis", check=False)
        daemon.ctr("containers", "delete", "redis", check=False)


QUOTED = PASSWORD.replace("\\", "\\\\").replace('"', '\\"')
"""As the step escapes it for redis.conf's and YAML's double quotes."""


@pytest.mark.parametrize("image, script, outputs", [
    ("redis", REDIS_SCRIPT, {"auth.conf": f'requirepass "{QUOTED}"\n', "password": PASSWORD}),
    ("filebeat", FILEBEAT_SCRIPT, {"fragment.yml": f'output.redis.password: "{QUOTED}"\n',
                                   "password": PASSWORD}),
])
def test_the_existing_secret_step_runs_in_its_workloads_image(node, tmp_path, image, script,
                                                              outputs):
    """The init container's command as redis/auth.py and filebeat's render it:
    od, awk, sed, wc and tr of the stand-in, not the host's."""
    daemon, images = node
    secret, out = tmp_path / "secret", tmp_path / "out"
    secret.mkdir(mode=0o755)
    out.mkdir()
    out.chmod(0o777)
    (secret / "password").write_text(PASSWORD)
    (secret / "password").chmod(0o644)
    files = [f"/out/{name}" for name in outputs]
    args = ["existing", "password", "/secret/password", *files] + (
        [""] if image == "redis" else [])
    run = daemon.run(images[image], f"{image}-auth", "sh", "-c", script, f"{image}-auth", *args,
                     options=("--mount", f"type=bind,src={secret},dst=/secret,options=rbind:ro",
                              "--mount", f"type=bind,src={out},dst=/out,options=rbind:rw"))
    assert run.returncode == 0, run.stderr
    assert {p.name: p.read_text() for p in out.iterdir()} == outputs


def test_the_exporter_runs_from_scratch(node):
    daemon, images = node
    run = daemon.run(images["redis-exporter"], "exporter-version", *entrypoint("redis-exporter"),
                     "-version")
    assert run.returncode == 0, run.stderr
    said = run.stdout + run.stderr  # ctr hands the container's stderr over as its stdout
    assert f"Redis Metrics Exporter {images['redis-exporter'].rpartition(':')[2]}" in said
    shell = daemon.run(images["redis-exporter"], "exporter-shell", "/bin/sh", "-c", "true")
    assert shell.returncode != 0, "the real image is FROM scratch: no shell"


def test_pause_stops_on_sigterm(node):
    daemon, images = node
    pause = subprocess.Popen(daemon.run_args(images["pause"], "pause", "--rm"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        while "RUNNING" not in daemon.ctr("task", "ls").stdout:
            assert pause.poll() is None and time.monotonic() < deadline, "pause did not start"
            time.sleep(0.1)
        version = daemon.exec("pause", "/pause", "-v")
        assert version.stdout.startswith(f"pause.c v{images['pause'].rpartition(':')[2]}-")
        daemon.ctr("task", "kill", "-s", "SIGTERM", "pause")
        _, stderr = pause.communicate(timeout=15)
    finally:
        if pause.poll() is None:
            pause.kill()
    assert pause.returncode == 0 and "Shutting down, got signal: Terminated" in stderr

