"""A pod's volumes as the kubelet lays them out, each a folder on this machine.

hostPath volumes are folders under the node's root, which outlives pods; the
rest belong to one pod. Modes and the fsGroup's ownership follow the
kubelet's rules (SetVolumeOwnership), so a container that runs as a non-root
user can read exactly what it could on a node. A Secret that changes while
the pod runs is rewritten as the kubelet rewrites it (`rewrite_secret`).
"""

import os
from pathlib import Path
from typing import Any

from tests.real.runtime.rendered import Rendered

READ_ONLY_KINDS = ("configMap", "secret")
EMPTY_DIR_MODE = 0o777
"""What the kubelet gives an emptyDir, before the fsGroup's bits."""


class VolumeError(Exception):
    """A volume the kubelet would refuse to mount: the pod would not start."""


def lay_out(spec: dict[str, Any], rendered: Rendered, pod_dir: Path,
            node_root: Path, claims: Path) -> dict[str, Path]:
    """Each volume's folder, by volume name."""
    fs_group = (spec.get("securityContext") or {}).get("fsGroup")
    folders: dict[str, Path] = {}
    for volume in spec.get("volumes", []):
        name = volume["name"]
        if "hostPath" in volume:
            folders[name] = _host_path(volume["hostPath"], node_root)
            continue  # the node's own files: the kubelet never changes their owner
        if "persistentVolumeClaim" in volume:
            folder = claims / volume["persistentVolumeClaim"]["claimName"]
            folder.mkdir(parents=True, exist_ok=True)
        elif "emptyDir" in volume:
            folder = pod_dir / "volumes" / name
            folder.mkdir(parents=True)
            folder.chmod(EMPTY_DIR_MODE)
        elif "configMap" in volume:
            source = volume["configMap"]
            folder = _files(pod_dir / "volumes" / name, rendered.config_map(source["name"]),
                            source, default_mode=0o644)
        elif "secret" in volume:
            source = volume["secret"]
            folder = _files(pod_dir / "volumes" / name, rendered.secrets[source["secretName"]],
                            source, default_mode=0o644)
        else:
            raise VolumeError(f"volume {name}: this harness cannot lay out {sorted(volume)}")
        if fs_group is not None:
            _own(folder, fs_group, read_only=any(k in volume for k in READ_ONLY_KINDS))
        folders[name] = folder
    return folders


def _host_path(source: dict[str, Any], node_root: Path) -> Path:
    folder = node_root / source["path"].lstrip("/")
    kind = source.get("type", "")
    if kind == "DirectoryOrCreate":
        folder.mkdir(parents=True, exist_ok=True)
    elif kind in ("Directory", "") and not folder.is_dir():
        # With no type the kubelet checks nothing and the runtime's bind mount fails.
        raise VolumeError(f"hostPath {source['path']} does not exist on the node")
    elif kind not in ("Directory", "DirectoryOrCreate", ""):
        raise VolumeError(f"hostPath type {kind} is not laid out by this harness")
    return folder


def _files(folder: Path, data: dict[str, str], source: dict[str, Any],
           default_mode: int) -> Path:
    folder.mkdir(parents=True)
    items = source.get("items") or [{"key": key, "path": key} for key in data]
    for item in items:
        target = folder / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data[item["key"]])
        target.chmod(item.get("mode", source.get("defaultMode", default_mode)))
    return folder


def _own(folder: Path, gid: int, read_only: bool) -> None:
    """The fsGroup owns the volume: group bits added, setgid on folders."""
    mask = 0o440 if read_only else 0o660
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, -1, gid)
        mode = path.stat().st_mode & 0o7777
        if path.is_dir():
            path.chmod(mode | mask | 0o110 | 0o2000)
        else:
            path.chmod(mode | mask)


def rewrite_secret(spec: dict[str, Any], pod_dir: Path, name: str, data: dict[str, str]) -> None:
    """The Secret `name` now holds `data`: its volumes in this pod change, as
    the kubelet changes them (AtomicWriter), each file replaced by a new one,
    never written over. The kubelet writes a new folder and swaps the
    `..data` link the files point through; here each file is renamed over,
    which the container sees the same way: a mount of the volume's folder
    shows the new files, and a subPath mount, bound to the file the
    container started with, keeps the old one. The kernel does that here,
    as on a node: the harness binds the file itself (confinement.py)."""
    rewritten = False
    for volume in spec.get("volumes", []):
        source = volume.get("secret")
        if not source or source["secretName"] != name:
            continue
        folder = pod_dir / "volumes" / volume["name"]
        for item in source.get("items") or [{"key": key, "path": key} for key in data]:
            target = folder / item["path"]
            new = target.with_name(f"..{target.name}.new")
            new.write_text(data[item["key"]])
            old = target.stat()
            os.chown(new, old.st_uid, old.st_gid)
            new.chmod(old.st_mode & 0o7777)
            os.replace(new, target)
        rewritten = True
    if not rewritten:
        raise AssertionError(f"the pod mounts no Secret {name}")
