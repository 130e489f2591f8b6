"""What every pod of ours carries: security contexts, the config checksum, scanner waivers.

Security contexts follow the Kubernetes "restricted" Pod Security Standard:
no privilege escalation, every capability dropped, the runtime's default
seccomp profile.
A workload that needs less (filebeat runs as root to read root's log files)
says so in its config and carries a scanner waiver that gives the reason.
"""

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_kubernetes.core.v1 import (
    CapabilitiesArgs,
    PodSecurityContextArgs,
    SeccompProfileArgs,
    SecurityContextArgs,
    SELinuxOptionsArgs,
)

from ..config.kube.image import is_pinned
from ..config.kube.pod import SELinuxOptions


def container_security(read_only_root: bool, run_as_user: int | None,
                       privileged: bool = False,
                       se_linux: SELinuxOptions | None = None) -> SecurityContextArgs:
    return SecurityContextArgs(
        # Kubernetes refuses a privileged container that also forbids escalation.
        allow_privilege_escalation=None if privileged else False,
        privileged=privileged,
        read_only_root_filesystem=read_only_root,
        capabilities=CapabilitiesArgs(drop=["ALL"]),
        run_as_user=run_as_user,
        run_as_non_root=True if run_as_user else None,
        se_linux_options=SELinuxOptionsArgs(
            user=se_linux.user, role=se_linux.role, type=se_linux.type, level=se_linux.level,
        ) if se_linux else None,
    )


def pod_security(run_as_user: int | None, fs_group: int | None = None) -> PodSecurityContextArgs:
    return PodSecurityContextArgs(
        run_as_user=run_as_user,
        run_as_group=run_as_user if run_as_user else None,
        run_as_non_root=True if run_as_user else None,
        fs_group=fs_group,
        # Without it the kubelet chowns every file of the volume at each start,
        # which takes minutes on a large append-only file.
        fs_group_change_policy="OnRootMismatch" if fs_group is not None else None,
        seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"),
    )


def secret_checksum(secret: str, salt: str) -> str:
    """A digest of a secret that changes when it does, and is safe to publish.

    Pods read a mounted Secret at start and never again, so a rotated
    password must change their template to roll them. A plain hash in the
    template would hand everyone who can read the manifests an offline
    check for password guesses; scrypt (16 MiB and tens of milliseconds a
    guess), salted with the stack's own names so no table serves two
    stacks, makes each guess as dear as redis' own answer to it, and our
    passwords are at least 16 characters. Cut to 64 bits: enough to tell
    two passwords apart, too few to confirm a guess with certainty.
    """
    return _scrypt(secret, salt)


@functools.lru_cache(maxsize=8)
def _scrypt(secret: str, salt: str) -> str:
    # Cached: redis and filebeat ask for the same digest in one render.
    return hashlib.scrypt(secret.encode(), salt=salt.encode(), n=2**14, r=8, p=1,
                          dklen=8).hex()


def config_checksum(data: Mapping[str, Any]) -> str:
    """A digest of exactly what the pods read: the ConfigMap's data.

    Pods read their files at start, and a changed ConfigMap alone restarts
    nothing. This digest in the pod template makes a content change a
    template change, which the update strategy then rolls out.
    """
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


# Security-scanner waivers, written on the object they excuse, each with its
# reason. checkov reads `checkov.io/skip<N>: <CHECK>=<reason>` annotations. A
# waiver is added only where the check would really fail, and only for what
# cannot be fixed in config: a check that can be met is met instead. The
# reason is the review record, so it says why, in words a reviewer can
# disagree with.
PRIVILEGED_REASON = (
    "privileged is asked for in the stack config (privileged: true) as the last resort "
    "for SELinux-enforcing nodes where seLinuxOptions cannot let it read the host's logs"
)
PRIVILEGED_WAIVERS = [("CKV_K8S_16", PRIVILEGED_REASON), ("CKV_K8S_20", PRIVILEGED_REASON)]
"""Privileged, and so allowed to escalate: waived only when the config asks for it."""
UNPINNED_IMAGE = (
    "CKV_K8S_43",
    "no digest is configured yet; set imageDigest once it has been looked up in the registry",
)


def waiver_annotations(waivers: Iterable[tuple[str, str]]) -> dict[str, str]:
    annotations = {}
    for number, (check, reason) in enumerate(waivers, start=1):
        if "=" in reason:
            raise ValueError(f"a checkov reason cannot contain '=': {reason!r}")
        annotations[f"checkov.io/skip{number}"] = f"{check}={reason}"
    return annotations


def image_waivers(image: str, digest: str | None) -> list[tuple[str, str]]:
    return [] if is_pinned(image, digest) else [UNPINNED_IMAGE]
