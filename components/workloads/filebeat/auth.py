"""filebeat's redis password from a Secret the stack did not make: the start-up step.

filebeat merges `output.redis.password` from a second `-c` file. With our own
Secret, that file is in the Secret; an existing one holds only the raw
password, so an init container writes the file into a memory-backed emptyDir.
Not `${VAR}` from an env var: go-ucfg parses an expanded value again, so a
password with a comma would become a list, and other syntax would change it.

Only the init container mounts the Secret. It writes the raw password beside
the fragment, and the readiness probe reads that copy: the password this
pod's filebeat started with. The kubelet rewrites a mounted Secret in place
when it changes, so a probe reading the Secret would send the new password
while filebeat still ships with the old one: pods not yet rolled would go
unready after a rotation, and, once redis has rolled, report ready while
redis refuses them (as redis' own probes, redis/auth.py).
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
"""Where the step writes the fragment and the password, and filebeat and its
readiness probe read them."""
SOURCE_DIR = "/etc/redis-auth"
"""Where the init container alone sees the Secret's key."""
SOURCE_FILE = "password"
PASSWORD_FILE = "password"
"""The step's copy of the raw password, in STARTUP_AUTH_DIR."""
INIT_STEP = "redis-auth"
SOURCE_VOLUME = "existing-redis-auth"
FILES_VOLUME = "redis-auth-files"


@dataclass(frozen=True)
class StartupAuth:
    step: InitStep
    files: Mount
    """The folder the step writes, read-only, for filebeat."""
    password_file: str
    """The step's copy of the password, for filebeat's readiness probe."""


def startup_auth(existing: ExistingSecret, fragment: str) -> StartupAuth:
    """The init step that writes `fragment` (a file name) and the password
    itself from `existing`'s key.

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
    password_file = f"{STARTUP_AUTH_DIR}/{PASSWORD_FILE}"
    step = InitStep(
        name=INIT_STEP,
        command=["sh", "-c", FILEBEAT_SCRIPT, INIT_STEP],
        args=[existing.name, existing.key, f"{SOURCE_DIR}/{SOURCE_FILE}",
              f"{STARTUP_AUTH_DIR}/{fragment}", password_file],
        mounts=[Mount(source, SOURCE_DIR), Mount(files, STARTUP_AUTH_DIR, read_only=None)],
    )
    return StartupAuth(step, Mount(files, STARTUP_AUTH_DIR), password_file)
