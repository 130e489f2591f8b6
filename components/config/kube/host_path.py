"""A directory of the node mounted into a daemon: Kubernetes' hostPath volume.

Its own model because the daemon's rules read it twice: `NodeDaemonConfig`
mounts `hostPaths` (and what a subclass derives, such as filebeat's log
directories and registry), and refuses a surging rollout over one that holds
`sharedState`.
"""

from typing import Literal

from ..base import CamelModel
from .names import AbsolutePath, DNS1123Label

HostPathType = Literal[
    "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
    "BlockDevice",
]


class HostPathVolume(CamelModel):
    """A directory of the node, mounted into the daemon."""

    name: DNS1123Label
    """The volume's name in the pod."""
    path: AbsolutePath
    """The path on the node."""
    mount_path: AbsolutePath | None = None
    """Where the container sees it. Default: the same path as on the node."""
    read_only: bool = True
    """Default true: a daemon that reads host files should not be able to change them."""
    type: HostPathType = ""
    """Default '': no check. DirectoryOrCreate for state the daemon creates."""
    shared_state: bool = False
    """True when the daemon keeps state here that an old and a new pod on the
    same node would both use, such as filebeat's registry. Such a daemon cannot
    surge: the second pod refuses to start, and the rollout never finishes."""
