"""filebeat's redis password from a Secret the stack did not make: the start-up step.

filebeat merges `output.redis.password` from a second `-c` file. With our own
Secret, that file is in the Secret; an existing one holds only the raw
password, so an init container writes the file into a memory-backed emptyDir.
Not `${VAR}` from an env var: go-ucfg parses an expanded value again, so a
password with a comma would become a list, and other syntax would change it.
"""

from dataclasses import dataclass

from pulumi_kubernetes.core.v1 import (
    EmptyDirVolumeSourceArgs,
    KeyToPathArgs,
    SecretVolumeSourceArgs,
    VolumeArgs,
)

from ...config.redis.auth import ExistingSecret
from ..auth_startup import FILEBEAT_SCRIPT
from ..node_daemon import InitStep
from ..pod_template import Mount

STARTUP_AUTH_DIR = "/run/filebeat-auth"
"""Where the step writes the fragment, and filebeat reads it."""
SOURCE_DIR = "/etc/redis-auth"
SOURCE_FILE = "password"
INIT_STEP = "redis-auth"
SOURCE_VOLUME = "existing-redis-auth"
FILES_VOLUME = "redis-auth-files"


@dataclass(frozen=True)
class StartupAuth:
    step: InitStep
    files: Mount
    """The folder the step writes, read-only, for filebeat."""
    source: Mount
    """The Secret's key, read-only, for filebeat's readiness probe."""


def startup_auth(existing: ExistingSecret, fragment: str) -> StartupAuth:
    """The init step that writes `fragment` (a file name) from `existing`'s key.

    It runs in filebeat's own image (NodeDaemon's InitStep), which has a
    POSIX sh and is on the node already: a small shell image would be one
    more pull on every node, and one more image to pin and patch."""
    source = VolumeArgs(name=SOURCE_VOLUME, secret=SecretVolumeSourceArgs(
        secret_name=existing.name, items=[KeyToPathArgs(key=existing.key, path=SOURCE_FILE)],
        default_mode=0o400))
    # In memory, as a Secret's own volume is: the password never reaches the
    # node's disk. The file is a few hundred bytes.
    files = VolumeArgs(name=FILES_VOLUME, empty_dir=EmptyDirVolumeSourceArgs(
        medium="Memory", size_limit="1Mi"))
    step = InitStep(
        name=INIT_STEP,
        command=["sh", "-c", FILEBEAT_SCRIPT, INIT_STEP],
        args=[existing.name, existing.key, f"{SOURCE_DIR}/{SOURCE_FILE}",
              f"{STARTUP_AUTH_DIR}/{fragment}"],
        mounts=[Mount(source, SOURCE_DIR), Mount(files, STARTUP_AUTH_DIR, read_only=None)],
    )
    return StartupAuth(step, Mount(files, STARTUP_AUTH_DIR), Mount(source, SOURCE_DIR))
