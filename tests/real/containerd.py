"""A containerd of the test's own, and `ctr run` in it, leaving the host as found.

Everything it can place lives under one temporary folder: root, state,
sockets, runc's state (--runc-root) and the I/O fifos (--fifo-dir, which
`ctr run` and `ctr task exec` are given); CRI is
off (no CNI, no sandbox image, and no `restrict_oom_score_adj` to need).
What containerd 1.6 does not let a caller place is cleaned up after: the
shims' socket folder /run/containerd/s (removed if this run made it and it
is empty) and each container's cgroup, under a parent named for this run.
"""

import os
import shutil
import signal
import subprocess
import time
import uuid
from contextlib import suppress
from pathlib import Path

SHIM_SOCKETS = Path("/run/containerd")
CGROUPS = Path("/sys/fs/cgroup")


def missing() -> str | None:
    """Why a private containerd cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to run containerd and runc"
    for program in ("containerd", "ctr", "runc"):
        if not shutil.which(program):
            return f"{program} is not on PATH (apt-get install containerd runc)"
    return None


def mounts_under(folder: Path) -> list[str]:
    """Mount points at or below `folder`, deepest first."""
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return sorted((p for p in points if p == str(folder) or p.startswith(f"{folder}/")),
                  key=len, reverse=True)


class Containerd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.address = str(folder / "containerd.sock")
        self.cgroup_parent = f"redis-filebeat-images-{uuid.uuid4().hex[:8]}"
        self.made_run_dir = not SHIM_SOCKETS.exists()
        config = folder / "config.toml"
        config.write_text(f"""version = 2
root = "{folder}/root"
state = "{folder}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{self.address}"
[ttrpc]
  address = "{self.address}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "{folder}/opt"
""")
        self.log = open(folder / "containerd.log", "wb")
        self.process = subprocess.Popen(["containerd", "--config", str(config)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while self.ctr("version", check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("containerd did not start: "
                                   + (folder / "containerd.log").read_text()[-2000:])
            time.sleep(0.2)

    def ctr(self, *args: str, check: bool = True, timeout: float = 60,
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ctr", "--address", self.address, "-n", "k8s.io", *args],
                              capture_output=True, text=True, check=check, timeout=timeout)

    def run_args(self, image: str, name: str, *more: str) -> list[str]:
        """`ctr run`'s arguments for a container of this run: its runc state,
        fifos and cgroup where stop() finds them."""
        return ["ctr", "--address", self.address, "-n", "k8s.io", "run",
                "--runc-root", str(self.folder / "runc"), "--fifo-dir", str(self.folder / "fifo"),
                "--cgroup", f"/{self.cgroup_parent}/{name}", *more, image, name]

    def run(self, image: str, name: str, *command: str, options: tuple[str, ...] = (),
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Runs a container to its end (ctr run --rm)."""
        return subprocess.run([*self.run_args(image, name, "--rm", *options), *command],
                              capture_output=True, text=True, timeout=timeout)

    def exec(self, container: str, *command: str, check: bool = True,
             ) -> subprocess.CompletedProcess[str]:
        """A process in a running container, as a probe runs (ctr task exec)."""
        return self.ctr("task", "exec", "--fifo-dir", str(self.folder / "fifo"), "--exec-id",
                        f"exec-{time.monotonic_ns()}", container, *command, check=check)

    def stop(self) -> list[str]:
        """Stops every task and containerd, then unmounts and removes what
        is left; returns what is still there (nothing, or a bug): mounts under
        the folder and this run's cgroups."""
        if self.process.poll() is None:
            for container in self.ctr("containers", "ls", "-q", check=False).stdout.split():
                self.ctr("task", "delete", "--force", container, check=False)
                self.ctr("containers", "delete", container, check=False)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        for point in mounts_under(self.folder):
            subprocess.run(["umount", point], check=False)
        cgroups = [CGROUPS / self.cgroup_parent, *CGROUPS.glob(f"*/{self.cgroup_parent}")]
        for parent in cgroups:
            with suppress(OSError):
                parent.rmdir()
        if self.made_run_dir:
            for folder in (SHIM_SOCKETS / "s", SHIM_SOCKETS / "fifo", SHIM_SOCKETS):
                with suppress(OSError):
                    folder.rmdir()
        return mounts_under(self.folder) + [str(p) for p in cgroups if p.exists()]
