"""One container of a rendered pod, run as the kubelet would run it.

Its command runs confined as runc would confine it (confinement.py: its
namespaces, root, mounts and privileges). The kubelet's part is here: the
container starts, is probed, and is stopped with SIGTERM and, after its grace,
SIGKILL to every process it holds. Probes and `exec` go in through `nsenter`,
as the kubelet's exec probe goes into the container.
"""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.real.runtime.confinement import Confinement
from tests.real.runtime.images import Image


@dataclass(frozen=True)
class Exec:
    returncode: int | None
    """None when the command outlived its timeout: a failed probe."""
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Container(Confinement):
    def __init__(self, spec: dict[str, Any], pod_spec: dict[str, Any], image: Image,
                 volumes: dict[str, Path], env: dict[str, str], hostname: str, work: Path):
        super().__init__(spec, pod_spec, image, volumes, env, hostname, work)
        self.log = work / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert not self.running(), f"{self.name} is already running"
        self.starts += 1
        self.work.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self._unshare(self.argv()), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def run(self, argv: list[str], timeout: float = 60) -> Exec:
        """Run `argv` instead of the container's command, in the container as
        it would start (its mounts, user and environment), and wait for it:
        `kubectl debug --copy-to` with a new command, in one step."""
        try:
            done = subprocess.run(self._unshare(argv), stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            return Exec(None, (expired.stdout or b"").decode(errors="replace"))
        return Exec(done.returncode, (done.stdout + done.stderr).decode(errors="replace"))

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exec(self, argv: list[str], timeout: float = 30) -> Exec:
        """Run a command in the container, as `kubectl exec` or an exec probe."""
        assert self.process is not None and self.running(), self.not_running()
        command = ["nsenter", f"--target={self.process.pid}", "--mount", "--uts", "--root",
                   "--wd", *self.privileges(), *self._env_argv(chdir=False), *argv]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            return Exec(None, (expired.stdout or b"").decode(errors="replace"))
        return Exec(done.returncode, (done.stdout + done.stderr).decode(errors="replace"))

    def probe(self, kind: str) -> Exec:
        """The rendered `<kind>Probe`, with its own timeout, as the kubelet runs it."""
        probe = self.spec[f"{kind}Probe"]
        timeout = probe.get("timeoutSeconds", 1)
        if "exec" in probe:
            return self.exec(probe["exec"]["command"], timeout=timeout)
        get = probe["httpGet"]
        port = get["port"]
        if isinstance(port, str):
            port = next(p["containerPort"] for p in self.spec["ports"] if p.get("name") == port)
        url = f"http://127.0.0.1:{port}{get.get('path', '/')}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                # The kubelet's rule: 200 to 399 passes.
                return Exec(0 if 200 <= answer.status < 400 else 1, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Exec(1, f"{url}: HTTP {error.code}")
        except OSError as error:
            return Exec(None if isinstance(error, TimeoutError) else 1, f"{url}: {error}")

    def stop(self, grace: float) -> int | None:
        """SIGTERM to the container's first process, SIGKILL to all after `grace`."""
        if not self.running():
            return self.process.returncode if self.process else None
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        # Once the first process is gone, the runtime kills what is left.
        return self.kill()

    def kill(self) -> int | None:
        """SIGKILL to every process in the container, as the OOM killer or a node loss."""
        if self.process is None:
            return None
        for pid in self.members():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        code = self.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while self.members() and time.monotonic() < deadline:
            time.sleep(0.05)  # reparented children die a moment later
        assert not self.members(), f"{self.name}: {self.members()} outlived SIGKILL"
        return code

    def members(self) -> dict[int, str]:
        """The container's processes (pid: command), as the kernel sees them:
        every process of the session it was started in. tini gives its child
        a process group of its own, so the session is what holds them all."""
        if self.process is None:
            return {}
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                name = stat.with_name("comm").read_text().strip()
            except OSError:
                continue  # gone meanwhile
            if int(fields[3]) == self.process.pid:  # the session id
                found[int(stat.parent.name)] = name
        return found

    def process_status(self, command: str) -> dict[str, str]:
        """/proc/<pid>/status of the container's process named `command`."""
        for pid, name in self.members().items():
            if name == command:
                text = Path(f"/proc/{pid}/status").read_text()
                return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        raise AssertionError(f"no process {command} in container {self.name}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def not_running(self) -> str:
        """Why a container that should be up is not: its exit and its last
        words, so a failure names its cause without a re-run."""
        code = self.process.returncode if self.process else "never started"
        tail = "\n".join(self.output().splitlines()[-20:])
        return f"{self.name} is not running (exit {code}); its log ends:\n{tail}"
