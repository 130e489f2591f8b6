"""redis.conf directives the typed config does not model, added as `redis.extraConfig`.

Each name is checked against the directives redis itself knows (redis
refuses to start on any other), and the ones this stack writes, or that
would break the pod or its security model, are refused with the key to use
instead. The values are plain arguments: the generated file quotes them the
way redis' config parser reads them, so a value can never start a second line.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, PlainValidator, WithJsonSchema

from ..base import KeyedError
from ..errors import quoted
from ..suggestions import did_you_mean
from .names import DIRECTIVES, REDIS_VERSION

_OWNED = "is written by this stack from {key}; set that instead"
_BY_HAND = "is refused: {why}"
REFUSED: dict[str, str] = {
    "port": _OWNED.format(key="redis.containerPort"),
    "dir": _BY_HAND.format(
        why="it is where the data volume is mounted (redis.persistence says which volume)"),
    "maxmemory": _OWNED.format(key="redis.maxmemory"),
    "maxmemory-policy": _OWNED.format(key="redis.maxmemoryPolicy"),
    "list-compress-depth": _OWNED.format(key="redis.buffer.listCompressDepth"),
    "list-max-listpack-size": _OWNED.format(key="redis.buffer.listMaxListpackSize"),
    "appendonly": _OWNED.format(key="redis.persistence.enabled"),
    "appendfsync": _OWNED.format(key="redis.persistence.enabled"),
    "save": _OWNED.format(key="redis.persistence.snapshots"),
    "requirepass": _OWNED.format(key="redisPassword, which only the auth Secret holds"),
    "user": _OWNED.format(key="redis.deniedCommands; a password here would sit in a ConfigMap"),
    "aclfile": _OWNED.format(key="redis.deniedCommands"),
    "rename-command": _OWNED.format(key="redis.deniedCommands, which denies by ACL"),
    "include": _BY_HAND.format(why="the stack includes its auth file last, and only that"),
    "protected-mode": _BY_HAND.format(
        why="the Service, the NetworkPolicy and the password decide who connects"),
    "bind": _BY_HAND.format(
        why="the pod's address is not known before it starts; redis listens on all of them "
            "and the NetworkPolicy decides who reaches it"),
    "unixsocket": _BY_HAND.format(
        why="no container of the pod would use it, and the root filesystem is read-only"),
    "unixsocketperm": _BY_HAND.format(why="no unix socket is opened (unixsocket is refused)"),
    "daemonize": _BY_HAND.format(why="a daemonized redis leaves the container, which then exits"),
    "supervised": _BY_HAND.format(why="the kubelet supervises redis; there is no systemd"),
    "pidfile": _BY_HAND.format(why="the root filesystem is read-only and nothing reads it"),
    "logfile": _BY_HAND.format(
        why="redis logs to stdout, where `kubectl logs` and the node's log pipeline read it"),
    "replicaof": _BY_HAND.format(
        why="it would make the buffer a read-only copy of another server, dropping its "
            "contents and refusing filebeat's writes (redis.replicas is one buffer)"),
    "masterauth": _BY_HAND.format(why="it holds a password, and this ConfigMap is readable"),
    "masteruser": _BY_HAND.format(why="there is no primary to log in to (replicaof is refused)"),
    "min-replicas-to-write": _BY_HAND.format(
        why="the buffer has no replicas, so redis would refuse every write"),
    "cluster-enabled": _BY_HAND.format(
        why="filebeat's redis output does not follow cluster redirects"),
    "databases": _BY_HAND.format(
        why="filebeat.output.db is checked against redis' 16 databases"),
    "loadmodule": _BY_HAND.format(why="it loads native code from a path in the image"),
    "enable-module-command": _BY_HAND.format(why="it would let a client load native code"),
    "enable-debug-command": _BY_HAND.format(why="it would let a client crash or alter redis"),
    "enable-protected-configs": _BY_HAND.format(
        why="it would let a client change dir and dbfilename, and so write files"),
    "sentinel": _BY_HAND.format(why="this is a redis server, not a sentinel"),
}
"""Each directive refused, with the message saying why and what to set instead."""
ALIASES = {"slaveof": "replicaof", "min-slaves-to-write": "min-replicas-to-write",
           "list-max-ziplist-size": "list-max-listpack-size"}
"""Old names redis still reads for a refused directive."""
TLS_PREFIX = "tls-"

PLAIN_NAMES = {"dbfilename": "a file name", "appendfilename": "a file name",
               "appenddirname": "a directory name"}
"""Directives whose value redis puts inside `dir` itself, and on a path refuses
to start ("dbfilename can't be a path, just a filename"): the pod would never
run. Each with what it must be instead."""

_NAME = re.compile(r"[a-z][a-z0-9_-]*")
MAX_ARGUMENT = 1024


def _check_directive(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{quoted(name)} is not a redis.conf directive: lowercase letters, digits, '-' "
            "and '_', starting with a letter")
    refused = REFUSED.get(ALIASES.get(name, name))
    if refused:
        raise ValueError(f"{name} {refused}")
    if name.startswith(TLS_PREFIX):
        raise ValueError(
            f"{name} is refused: the stack does not mount certificates, and filebeat's "
            "output here connects without TLS")
    if name not in DIRECTIVES:
        raise ValueError(
            f"{name} is not a redis {REDIS_VERSION} directive, and redis refuses to start "
            f"on one it does not know{did_you_mean(name, DIRECTIVES)}")
    return name


def _arguments(value: object) -> list[str]:
    """A directive's value as the arguments redis.conf gets: true and false are
    yes and no, numbers their digits."""
    values = value if isinstance(value, list) and value else [value]
    arguments = []
    for item in values:
        if isinstance(item, bool) and not isinstance(value, list):
            item = "yes" if item else "no"
        elif isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise ValueError(
                f"({quoted(value)}) must be a string, a whole number, true or false, or a "
                "non-empty list of strings and numbers")
        if len(item) > MAX_ARGUMENT or any(not c.isprintable() for c in item):
            raise ValueError(
                f"must be at most {MAX_ARGUMENT} characters, without control characters, "
                "tabs or line breaks")
        arguments.append(item)
    return arguments


def _check_plain_names(config: dict[str, list[str]]) -> dict[str, list[str]]:
    for name, what in PLAIN_NAMES.items():
        if any("/" in argument for argument in config.get(name, ())):
            raise KeyedError(name, (
                f"must be {what}, not a path: redis keeps it in its dir (the data volume) "
                "and refuses to start on a path"))
    return config


ALLOWED = sorted(name for name in DIRECTIVES if ALIASES.get(name, name) not in REFUSED
                 and not name.startswith(TLS_PREFIX))
"""What the JSON Schema offers editors to complete."""
DirectiveName = Annotated[str, AfterValidator(_check_directive),
                          WithJsonSchema({"type": "string", "enum": ALLOWED})]
DirectiveValue = Annotated[list[str], PlainValidator(
    _arguments, json_schema_input_type=str | int | bool | list[str | int])]
"""One argument (a string, a number, or true/false for yes/no), or a list of them."""
ExtraConfig = Annotated[dict[DirectiveName, DirectiveValue], AfterValidator(_check_plain_names)]
