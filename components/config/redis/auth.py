"""Where the redis password comes from when the stack does not hold it: an existing Secret.

Teams that keep secrets in External Secrets or Sealed Secrets want the
password to stay where those tools put it; the stack then only names the
Secret and key, and never sees the value. The rules across this and
`redisPassword` live in `config/stack/model.py`, beside the password's own.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

from ..base import CamelModel
from ..errors import quoted
from ..kube.names import ConfigKey, DNS1123Subdomain

_VERSION = re.compile(r"[A-Za-z0-9]([-._A-Za-z0-9]*[A-Za-z0-9])?")


def _check_version(value: str) -> str:
    if len(value) > 63 or not _VERSION.fullmatch(value):
        raise ValueError(
            f"{quoted(value)} is not a version: use 1 to 63 letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit (a date, a counter, a commit)")
    return value


AuthVersion = Annotated[str, AfterValidator(_check_version)]


class ExistingSecret(CamelModel):
    """A Secret someone else made, holding the redis password under one key.

    It must be in the stack's namespace: a pod mounts Secrets of its own
    namespace only. Redis and filebeat read it once, at start (a start-up
    step turns it into the files each reads), so a rotated password
    reaches them only when their pods restart: bump `version` with it."""

    name: DNS1123Subdomain
    """The Secret's name, in the stack's namespace. Required. The stack never
    creates, changes or deletes it."""
    key: ConfigKey = "password"
    """The data key that holds the password. Default 'password', the key
    External Secrets' and most charts' examples use. The value must meet
    redisPassword's rules (16 to 512 printable characters, no `${`, no
    trailing line break); the pods refuse to start otherwise, with a message
    in the start-up step's log that never quotes it."""
    version: AuthVersion | None = None
    """An opaque string you change whenever the Secret's password changes,
    e.g. the rotation's date. It is written into redis' and filebeat's pod
    templates, so changing it rolls both, redis first. Default unset: the
    pods roll only when something else changes; Pulumi cannot see the
    Secret's content. The ways to roll: [rotating it](security.md#rotating-it)."""
