"""One container of a rendered pod, run as the kubelet and runc would run it.

`unshare` gives it a mount and a UTS namespace. Its root is the host's own
root under an overlay (the stand-in image: see images.py), each volumeMount
bound at its rendered path, the root then made read-only when the manifest
says so, and the user, groups, capabilities and no_new_privs of its
securityContext applied by `setpriv`. It shares the host's network: ports
come from the stack config, so tests choose free ones. Probes and `exec` go
in through `nsenter`, as the kubelet's exec probe goes into the container.
"""

import os
import re
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.real.runtime.images import Image

DEFAULT_CAPS = ("chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid",
                "setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill",
                "audit_write")
"""containerd's default set, for a container that drops none."""


@dataclass(frozen=True)
class Exec:
    returncode: int | None
    """None when the command outlived its timeout: a failed probe."""
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Container:
    def __init__(self, spec: dict[str, Any], pod_spec: dict[str, Any], image: Image,
                 volumes: dict[str, Path], env: dict[str, str], hostname: str, work: Path):
        self.spec, self.image, self.work = spec, image, work
        self.name = spec["name"]
        context = {**(pod_spec.get("securityContext") or {}), **(spec.get("securityContext") or {})}
        self.context = context
        pod_context = pod_spec.get("securityContext") or {}
        self.groups = [g for g in [pod_context.get("fsGroup"),
                                   *pod_context.get("supplementalGroups", [])] if g is not None]
        self.volumes, self.hostname = volumes, hostname
        self.env = {**image.env, **env}
        self.log = work / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    # What runs: the manifest's command and args over the image's, $(VAR) expanded.
    def argv(self) -> list[str]:
        command = self.spec.get("command")
        args = self.spec.get("args")
        if command is not None:
            argv = [*command, *(args or [])]
        else:
            argv = [*self.image.entrypoint, *(args if args is not None else self.image.cmd)]
        return [_expand(part, self.env) for part in argv]

    def privileges(self) -> list[str]:
        """setpriv's options for the securityContext."""
        uid = self.context.get("runAsUser", self.image.user)
        gid = self.context.get("runAsGroup", 0)
        if self.context.get("runAsNonRoot") and uid == 0:
            raise RuntimeError(f"{self.name}: runAsNonRoot with user 0: the kubelet refuses it")
        caps = self.context.get("capabilities") or {}
        drop = {c.lower() for c in caps.get("drop", [])}
        add = {c.lower() for c in caps.get("add", [])}
        if self.context.get("privileged"):
            bounding = "+all"
        else:
            kept = set() if "all" in drop else set(DEFAULT_CAPS) - drop
            bounding = ",".join(["-all", *(f"+{c}" for c in sorted(kept | add))])
        options = ["setpriv", f"--reuid={uid}", f"--regid={gid}",
                   f"--groups={','.join(map(str, self.groups))}" if self.groups
                   else "--clear-groups",
                   f"--bounding-set={bounding}", "--inh-caps=-all"]
        if self.context.get("allowPrivilegeEscalation") is False:
            options.append("--no-new-privs")
        return options

    def _env_argv(self, chdir: bool) -> list[str]:
        pairs = [f"{k}={v}" for k, v in self.env.items()]
        wd = self.spec.get("workingDir") or self.image.working_dir
        return ["env", "-i", *(["-C", wd] if chdir else []), *pairs]

    def _script(self, argv: list[str]) -> str:
        root, upper, lower_work = self.work / "root", self.work / "upper", self.work / "ovl"
        for folder in (root, upper, lower_work):
            folder.mkdir(parents=True, exist_ok=True)
        q = shlex.quote
        lines = ["set -eu", f"mount -t overlay overlay -o lowerdir=/,upperdir={q(str(upper))},"
                 f"workdir={q(str(lower_work))} {q(str(root))}"]
        for path, mode in self.image.dirs.items():
            lines.append(f"mkdir -p -m {mode:o} {q(str(_in_root(root, path)))}")
        for path, source in self.image.files.items():
            target = q(str(_in_root(root, path)))
            lines += [f"mkdir -p $(dirname {target})", f"touch {target}",
                      f"mount --bind {q(str(source))} {target}"]
        read_only = []
        for mount in sorted(self.spec.get("volumeMounts", []), key=lambda m: m["mountPath"]):
            source = self.volumes[mount["name"]] / mount.get("subPath", "")
            path = _in_root(root, mount["mountPath"])
            target = q(str(path))
            # A subPath may name one file: bound as the file itself, so a
            # Secret rewritten later leaves it as it was (volumes.py).
            made = (f"mkdir -p {q(str(path.parent))} && touch {target}" if source.is_file()
                    else f"mkdir -p {target}")
            lines += [made, f"mount --bind {q(str(source))} {target}"]
            if mount.get("readOnly"):
                read_only.append(target)
        lines += [f"mount -o remount,bind,ro {t}" for t in read_only]
        for fs in ("proc", "dev", "sys"):
            lines.append(f"mount --rbind /{fs} {q(str(root))}/{fs}")
        # The image's own /tmp, not the host's (read-only with the root).
        lines.append(f"mount -t tmpfs -o size=16m,mode=1777 tmpfs {q(str(root))}/tmp")
        if self.context.get("readOnlyRootFilesystem"):
            lines += [f"mount -o remount,ro {q(str(root))}/tmp",
                      f"mount -o remount,ro {q(str(root))}"]
        lines.append(f"hostname {q(self.hostname)}")
        run = ["chroot", str(root), *self.privileges(), *self._env_argv(chdir=True), *argv]
        lines.append("exec " + shlex.join(run))
        return "\n".join(lines)

    def _unshare(self, argv: list[str]) -> list[str]:
        self.work.mkdir(parents=True, exist_ok=True)
        return ["unshare", "--mount", "--uts", "--propagation", "private", "bash", "-c",
                self._script(argv)]

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


def _expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) in command and args: a known name is replaced, $$ escapes."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def _in_root(root: Path, path: str) -> Path:
    """`path` inside `root`, its symlinks followed as the container sees them
    (/var/run -> /run lands on root/run, not on the host's /run), as runc
    resolves a mount's target before it creates and mounts it. The root's
    lower layer is the host's own root and the image adds no links, so the
    container's links are the host's."""
    return root / os.path.realpath(path).lstrip("/")
