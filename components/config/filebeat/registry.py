"""Where filebeat keeps its registry on the node, and the directories it must not be.

The registry is the one node directory filebeat mounts read-write, as root,
with type DirectoryOrCreate: filebeat can change whatever the directory
holds. So it must be a directory of its own, never one the node's system,
the kubelet or the pod's log mounts depend on.
"""

import posixpath
from typing import Any

from ..base import KeyedError
from ..errors import quoted
from ..kube.names import is_dns1123_label
from .inputs import under

REGISTRY_ROOT = "/var/lib/redis-filebeat"
OWN = (f"keep the registry in a directory of its own, such as the default "
       f"{REGISTRY_ROOT}/<namespace>/<name>")


def default_registry_path(namespace: str, name: str) -> str:
    return f"{REGISTRY_ROOT}/{namespace}/{name}"


def with_default_registry(data: Any, namespace: Any) -> Any:
    """Filebeat's raw config with registryHostPath set to the default for
    `namespace`, unless it is set already (null included) or the names are
    bad, which their own keys report."""
    if not isinstance(data, dict) or "registryHostPath" in data or "registry_host_path" in data:
        return data
    name = data.get("name", "filebeat")
    if not (isinstance(namespace, str) and isinstance(name, str)
            and is_dns1123_label(namespace) and is_dns1123_label(name)):
        return data
    return {**data, "registryHostPath": default_registry_path(namespace, name)}


_RUNTIME = "a container runtime's images and containers"
_NETWORK = "the pod network's plugins and their state"
NODE_INTERNALS = {
    "/proc": "the kernel's view of its processes, where a write changes the running node",
    "/sys": "the kernel's view of its devices and settings, where a write changes the "
            "running node",
    "/dev": "the node's devices",
    "/run": "which holds the container runtimes' sockets and is emptied at every boot",
    "/var/run": "which holds the container runtimes' sockets and is emptied at every boot",
    "/var/lib/kubelet": "the kubelet's state, with every pod's volumes and secrets",
    "/var/lib/containerd": _RUNTIME,
    "/var/lib/docker": _RUNTIME,
    "/var/lib/containers": _RUNTIME,
    "/var/lib/etcd": "the cluster's datastore",
    "/var/lib/rancher": "k3s' and RKE2's state, with every pod's volumes and secrets",
    "/etc/kubernetes": "the node's Kubernetes config, with its credentials and static pods",
    "/etc/cni": _NETWORK,
    "/opt/cni": _NETWORK,
    "/var/lib/cni": _NETWORK,
}
"""Directories refused with everything in them, and why. A directory made
below one of them would not be the registry's own: the kernel's and the
devices' filesystems are interfaces, not storage; /run is the runtimes'
sockets (and does not outlive a boot, so neither would the registry); the
rest is the state of the kubelet, the container runtimes, etcd and the pod
network, from which a root process reaches every pod on the node."""

SYSTEM_DIRS = frozenset({
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
    "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp",
    "/usr", "/usr/bin", "/usr/include", "/usr/lib", "/usr/lib64", "/usr/libexec",
    "/usr/local", "/usr/local/bin", "/usr/local/lib", "/usr/local/sbin", "/usr/sbin",
    "/usr/share", "/usr/src", "/var", "/var/cache", "/var/lib", "/var/local", "/var/lock",
    "/var/log", "/var/mail", "/var/opt", "/var/run", "/var/spool", "/var/tmp",
})
"""The root, the top-level directories of the Filesystem Hierarchy Standard
and the shared ones below /usr and /var, refused themselves: each holds files
every other process on the node reads or runs, which a read-write mount would
hand to filebeat. A directory made below one (the default is below /var/lib)
is the registry's own. The set holds the parent of each of its directories
and of each NODE_INTERNALS one, so a path that holds any of them is one of
them, and is refused too."""


def check_registry_path(path: str) -> str:
    """`path`, if it names a directory filebeat may own; the rules that need
    no other key."""
    normal = _plain(path)
    if normal != path:
        raise ValueError(
            f"{quoted(path)} is not written plainly; write it as {quoted(normal)}, the "
            "directory it names, so that it can be compared with the node's and the pod's "
            "other directories")
    for root in sorted(NODE_INTERNALS):
        if path == root or under(path, [root]):
            raise ValueError(f"is in {root}, {NODE_INTERNALS[root]}; {OWN}")
    if path in SYSTEM_DIRS:
        raise ValueError(
            f"is the node's {'root directory' if path == '/' else path} itself: mounted "
            f"read-write into a container that runs as root, it hands filebeat every file "
            f"there; {OWN}")
    return path


def check_apart_from_mounts(registry: str, mounts: list[tuple[str, str]],
                            also: tuple[str, ...] = ()) -> None:
    """Refuse a registry that is, holds or lies inside a node directory the
    pod mounts to read logs from, given as (key, path) pairs; `also`: the
    keys besides each key that decide whether it is mounted."""
    for key, mount in mounts:
        mount = _plain(mount)
        if registry == mount or under(mount, [registry]):
            where = (f"the registry is {mount}" if registry == mount
                     else f"the registry {registry} holds {mount}")
            why = "read-write, filebeat could rewrite the logs it ships"
        elif under(registry, [mount]):
            where = f"the registry {registry} lies inside {mount}"
            why = ("its files would sit among the logs filebeat reads, where a path glob or "
                   "the node's log clean-up reaches them")
        else:
            continue
        raise KeyedError("registryHostPath", (
            f"{where}, which the pod also mounts to read logs from ({_readable(key)}): {why}; "
            "keep the registry apart from every directory the pod reads"), also=(key, *also))


def _plain(path: str) -> str:
    """`path` as the directory it names: no `..`, `//` or trailing `/`."""
    return "/" + posixpath.normpath(path).lstrip("/")


def _readable(key: str) -> str:
    """`hostPaths.0.path` as errors write it: hostPaths[0].path."""
    return ".".join(f"[{part}]" if part.isdigit() else part
                    for part in key.split(".")).replace(".[", "[")
