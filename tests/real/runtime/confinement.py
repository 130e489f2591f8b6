"""What a container of a rendered pod is confined to, as runc would confine it.

`unshare` gives it a mount and a UTS namespace. Its root is the host's own
root under an overlay (the stand-in image: see images.py), each volumeMount
bound at its rendered path, the root then made read-only when the manifest
says so, and the user, groups, capabilities and no_new_privs of its
securityContext applied by `setpriv`. It shares the host's network: ports
come from the stack config, so tests choose free ones. Apart from
container.py, which starts, probes and stops it, so that what the manifest
asks for is read in one place: the command that runs, and where and as whom.
"""

import os
import re
import shlex
from pathlib import Path
from typing import Any

from tests.real.runtime.images import Image

DEFAULT_CAPS = ("chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid",
                "setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill",
                "audit_write")
"""containerd's default set, for a container that drops none."""


class Confinement:
    """A container's command, namespaces, mounts and privileges, from its manifest."""

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
