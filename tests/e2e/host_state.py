"""What a real node may change on the host, read before `toolchain/cluster up
--real-node` and after `down`, so a test can show that nothing was left.

Each part is plain data (sets and dicts of strings), so a difference prints as
what remained: a process, a mount, an iptables line, a link, a netns, a
sysctl, a host folder or a cgroup.
"""

import os
import re
import subprocess
from pathlib import Path

SYSCTL_TREES = ("kernel", "vm", "net/ipv4/conf/all", "net/ipv4/conf/default", "net/ipv6/conf/all",
                "net/ipv6/conf/default", "net/bridge")
SYSCTL_FILES = ("net/ipv4/ip_forward", "net/netfilter/nf_conntrack_max",
                "net/netfilter/nf_conntrack_tcp_timeout_established",
                "net/netfilter/nf_conntrack_tcp_timeout_close_wait")
VOLATILE = {"kernel/ns_last_pid", "kernel/random/uuid", "kernel/random/boot_id",
            "kernel/random/entropy_avail", "kernel/pty/nr"}
"""Sysctls that change on their own, whatever runs."""
HOST_DIRS = ("/run/containerd", "/run/netns", "/var/lib/cni", "/var/log/pods",
             "/var/log/containers", "/var/lib/redis-filebeat")
"""The last is the stacks' own: filebeat's registry, a hostPath the kubelet creates."""


def sysctls() -> dict[str, str]:
    root = Path("/proc/sys")
    paths = [p for tree in SYSCTL_TREES for p in (root / tree).rglob("*") if p.is_file()]
    paths += [root / f for f in SYSCTL_FILES if (root / f).exists()]
    values = {}
    for path in paths:
        name = str(path.relative_to(root))
        if name in VOLATILE:
            continue
        try:
            values[name.replace("/", ".")] = path.read_text().strip()
        except OSError:  # write-only or refused
            continue
    return values


def processes(state: Path) -> set[str]:
    """Processes that name the state folder (the node's programs, containerd's
    shims) or run in the kubelet's cgroups (the pods' processes). Not by
    program name: another containerd on the machine is not ours."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cgroups = (proc / "cgroup").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(state) in cmdline or "/kubepods" in cgroups:
            found.add(f"{proc.name} {cmdline.strip()[:200]}")
    return found


def mounts(state: Path) -> set[str]:
    """Mount points a node could leave: under the state folder, pod netns,
    containerd's /run folder, the kubelet's or containerd's usual roots.
    (Not every mount: another test's own may come and go meanwhile.)"""
    points = {line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()}
    ours = (str(state), "/run/netns", "/run/containerd", "/var/lib/kubelet", "/var/lib/containerd")
    return {p for p in points if p.startswith(ours)}


def rules(program: str) -> list[str]:
    """iptables-save's rules and chains, without counters or comments."""
    out = subprocess.run([program], capture_output=True, text=True, check=True).stdout
    return [re.sub(r" \[\d+:\d+\]$", "", line) for line in out.splitlines()
            if line and not line.startswith("#")]


def snapshot(state: Path) -> dict[str, object]:
    return {
        "processes": processes(state),
        "mounts": mounts(state),
        "iptables": rules("iptables-save"),
        "ip6tables": rules("ip6tables-save"),
        "nft tables": subprocess.run(["nft", "list", "tables"], capture_output=True, text=True,
                                     check=True).stdout.split("\n"),
        "links": set(subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True,
                                    check=True).stdout.split("\n")),
        "netns": set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set(),
        "sysctls": sysctls(),
        "host dirs": {d: sorted(os.listdir(d)) for d in HOST_DIRS if os.path.isdir(d)},
        "cgroups": {str(p) for p in Path("/sys/fs/cgroup").glob("*/kubepods*")},
    }


def differences(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    """What `after` has that `before` had not (or had otherwise), part by part."""
    found: dict[str, object] = {}
    for key, old in before.items():
        new = after[key]
        if isinstance(old, set):
            if new - old:
                found[key] = sorted(new - old)
        elif isinstance(old, dict):
            changed = {k: (old.get(k), new.get(k)) for k in set(old) | set(new)
                       if old.get(k) != new.get(k)}
            if changed:
                found[key] = changed
        elif old != new:
            found[key] = [line for line in new if line not in old] or new
    return found
