"""Which redis commands the buffer's clients may not run, as ACL rules for redis' default user.

Every client here (filebeat, the reader, the exporter, the probes) logs in
as redis' `default` user with the one password, so what that user may not
run, nobody may. redis checks an ACL rule's command names only as it
starts, and refuses to start on one it does not know; the names are
checked against redis' own list here instead, before anything is deployed.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import AfterValidator

from ..errors import quoted
from .names import COMMANDS, REDIS_VERSION

_COMMAND = re.compile(r"[a-z][a-z0-9_.-]*(\|[a-z][a-z0-9_.-]*)?")
_REDIS_TAG = re.compile(r"(?:^|/)redis:(\d{1,4})(?:[.-]|$)")
ACL_SINCE = 7
"""The first redis whose ACL rules we write: `&*` (every Pub/Sub channel,
which redis 7 no longer grants by default) and `command|subcommand` came in
6.2 and 7.0, and redis before 6 has no ACLs at all."""


def _check_command(name: str) -> str:
    lowered = name.lower()
    if not _COMMAND.fullmatch(lowered):
        raise ValueError(
            f"{quoted(name)} is not a redis command: a name such as FLUSHALL, or a "
            "subcommand such as CONFIG|SET (ACL categories like @admin are not taken here)")
    if lowered not in COMMANDS:
        kind = "subcommand" if "|" in lowered else "command"
        raise ValueError(
            f"{quoted(name)} is not a redis {REDIS_VERSION} {kind}; redis would refuse to "
            "start on an ACL rule that names it")
    return lowered.upper()


CommandName = Annotated[str, AfterValidator(_check_command)]
"""A redis command or `command|subcommand`, upper-cased, that redis knows."""

DEFAULT_DENIED = (
    "FLUSHALL", "FLUSHDB", "SWAPDB", "MIGRATE",
    "CONFIG", "ACL", "MODULE", "DEBUG",
    "REPLICAOF", "SLAVEOF",
    "SHUTDOWN",
    "KEYS", "MONITOR",
)

# What each client of the buffer sends, with why, for the refusal messages.
ALWAYS_NEEDED = {
    "AUTH": "filebeat, the reader and the probes log in with it",
    "PING": "filebeat sends it on connect, and the probes run it",
    "SELECT": "filebeat sends it on connect for a database other than 0",
}
FILEBEAT_NEEDS = {
    "list": {"INFO": "filebeat reads redis' version with it before its first RPUSH",
             "RPUSH": "filebeat pushes its events with it (output.datatype list)"},
    "channel": {"PUBLISH": "filebeat publishes its events with it (output.datatype channel)"},
}
EXPORTER_NEEDS = {
    "INFO": "the exporter fails a scrape without it, and every alert reads it",
    "SELECT": "the exporter reads the watched list's database with it",
    "TYPE": "the exporter asks the watched list's type before its length",
    "LLEN": "the exporter reads the list's length, which the buffer alerts watch",
}


def denial_problem(denied: list[str], image: str,
                   exporter: bool) -> tuple[str, tuple[str, ...]] | None:
    """Why `denied` does not fit the redis image or the exporter, if it does
    not, and the keys besides deniedCommands that the reason depends on."""
    problem = duplicate(denied)
    if problem:
        return problem, ()
    problem = refused_denial(denied, EXPORTER_NEEDS) if exporter else None
    if problem:
        return problem, ("monitoring.enabled",)
    major = too_old_for_acls(image) if denied else None
    if major:
        return (f"deniedCommands needs redis 7 or later for its ACL rules, and the image is "
                f"redis {major}; set deniedCommands: [] for it"), ("image",)
    return None


def refused_denial(denied: Iterable[str], needed: Mapping[str, str]) -> str | None:
    """The message for the first denied command a client needs, naming the
    client; a denied command takes its subcommands with it."""
    for name in denied:
        for command, why in needed.items():
            if name == command or name == command.split("|")[0]:
                return f"deniedCommands must not deny {name}: {why}"
    return None


def duplicate(denied: list[str]) -> str | None:
    """The message for a name listed twice, or beside the command that covers it."""
    for index, name in enumerate(denied):
        if name in denied[:index]:
            return f"names {name} twice"
        container = name.split("|")[0]
        if container != name and container in denied:
            return f"names {name} beside {container}, whose rule already covers it"
    return None


def too_old_for_acls(image: str) -> str | None:
    """The image's redis major version when its tag says it is below ACL_SINCE."""
    major = image_major(image)
    return str(major) if major is not None and major < ACL_SINCE else None


def image_major(image: str) -> int | None:
    """redis' major version, when the image is redis' own and its tag says it."""
    tag = _REDIS_TAG.search(image)
    return int(tag.group(1)) if tag else None
