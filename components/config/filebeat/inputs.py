"""What filebeat reads: the container logs input, and the extra inputs beside it.

Both are filestream inputs and share the parsers and processors typed here,
so an option means the same on either.
"""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ..base import CamelModel, KeyedError
from ..kube.names import AbsolutePath
from .processors import DecodeJsonFields, Processor
from .re2 import Re2Pattern

CONTAINER_INPUT_ID = "kubernetes-container-logs"
"""Our own input's id: filebeat keys each file's progress in the registry by
input id, so it must never change, nor be taken by another input."""
POD_LOGS_DIR = "/var/log/pods"
"""Where the kubelet (with containerd or CRI-O) writes each container's log
and keeps the files it has rotated: <namespace>_<pod>_<uid>/<container>/."""


def _check_input_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?", value):
        raise ValueError("must be letters, digits, '.', '_' and '-', start and end with a "
                         "letter or digit, and have at most 253 characters")
    return value


InputId = Annotated[str, AfterValidator(_check_input_id)]


class Multiline(CamelModel):
    """Join continuation lines (a stack trace) to the line they belong to."""

    pattern: Re2Pattern
    """A regular expression (Go RE2 syntax), e.g. '^\\s' for indented lines."""
    negate: bool = False
    """Default false: lines that match the pattern are the continuations."""
    match: Literal["after", "before"] = "after"
    """Default after: continuations follow the line they belong to."""
    max_lines: Annotated[int, Field(ge=1, le=100_000)] = 500
    """Default 500, filebeat's: longer events are cut, not held forever."""


class JsonLines(CamelModel):
    """Decode each log line as JSON: for applications that log JSON objects.

    On the container logs, the container runtime's own wrapping (docker's
    json-file, CRI's prefix) is removed first by the container parser; this
    is the message inside.
    """

    target: str = ""
    """Where the decoded keys go. Default '': at the event's root. There, on the
    container logs, decoded `kubernetes` and `container` keys are dropped: that
    metadata comes from the API only, and a line must not pass for another
    pod's. For the same reason the container logs refuse overwriteKeys there."""
    message_key: str | None = None
    """The key that holds the text. Default unset. With `multiline`, lines are
    decoded first and joined on this key's text: the joined text becomes the
    event's `message`, and the other decoded keys merge, a later line's value
    replacing an earlier one's (under a `target`, the last line's whole object
    wins, so keep target '' to keep the first line's keys)."""
    add_error_key: bool = True
    """Default true: a line that is not JSON is kept and marked, not dropped."""
    overwrite_keys: bool = False
    """Default false: decoded keys never replace the ones filebeat set. On the
    container logs only with a `target`: at the root, a line could replace
    log.file.path, which add_kubernetes_metadata reads to find its pod."""


class ContainerLogs(CamelModel):
    """The filestream input over the node's container logs."""

    paths: Annotated[list[AbsolutePath], Field(min_length=1)] = ["/var/log/containers/*.log"]
    """Globs of the files to read. Default: the kubelet's links to every container's log."""
    host_paths: list[AbsolutePath] = ["/var/log", "/var/lib/docker/containers"]
    """Node directories mounted read-only so the paths and the files their links
    point at are visible. Default /var/log (containerd and CRI-O keep logs in
    /var/log/pods) and /var/lib/docker/containers (docker's)."""
    multiline: Multiline | None = None
    """Default unset: every line is an event."""
    json_lines: JsonLines | None = Field(None, alias="json")
    """Default unset: the message is kept as text."""
    processors: list[Processor] = []
    """Run on every event of this input, in order, after add_kubernetes_metadata,
    so that conditions and fields can use kubernetes.* (namespace, pod labels),
    which exist only once it has run. Default none."""
    rotated_logs: bool = False
    """Also read the newest file the kubelet has rotated (0.log.<time> under
    /var/log/pods), so that a filebeat held back by redis still finishes a log
    after the kubelet renamed it. Default false: /var/log/containers links
    only the current file, and under long backpressure the unread tail of a
    rotated file can be lost (docs/filebeat.md#rotated-logs). Needs
    /var/log/pods under hostPaths; its lines carry the pod's metadata, not the
    container's."""

    @model_validator(mode="after")
    def _no_line_picks_its_pod(self) -> "ContainerLogs":
        """A line's text must not decide which pod it ships as (filebeat's
        readjson, jsontransform and decode_json_fields). add_kubernetes_metadata
        finds the pod from log.file.path, which a line decoded at the root with
        overwriteKeys replaces. And these processors run after it: one that
        decodes at the root adds the line's own kubernetes.* keys beside the
        API's (or over them, with overwriteKeys), too late for the drop that
        `json` makes before the metadata is added."""
        decoded = self.json_lines
        if decoded is not None and decoded.overwrite_keys and not decoded.target:
            raise KeyedError("json.overwriteKeys", (
                "overwriteKeys with target '' (the event's root) lets a log line replace "
                "log.file.path, from which add_kubernetes_metadata finds the pod, so any pod "
                "could ship as another; decode under a target (json.target: app) or leave "
                "overwriteKeys false"), also=("json.target",))
        for index, processor in enumerate(self.processors):
            if isinstance(processor, DecodeJsonFields) and processor.target == "":
                raise KeyedError(f"processors.{index}.target", (
                    "decode_json_fields with target '' merges a log line's keys into the "
                    "event's root after add_kubernetes_metadata, so a line could add "
                    "kubernetes.* keys of its own; decode at the root with containerLogs.json, "
                    "which drops them first, or give a target"))
        return self


class ExtraInput(CamelModel):
    """Another filestream input, such as a node's own log files."""

    id: InputId
    """Required and unique: filebeat keeps each input's progress in the
    registry under its id, so renaming an input reads its files again."""
    paths: Annotated[list[AbsolutePath], Field(min_length=1)]
    """Required: globs of the files to read, under containerLogs.hostPaths or
    hostPaths, which are all that the pod sees of the node."""
    exclude_files: list[Re2Pattern] = []
    """Patterns of file paths to skip, e.g. '\\.gz$'. Default none."""
    multiline: Multiline | None = None
    """Default unset: every line is an event."""
    json_lines: JsonLines | None = Field(None, alias="json")
    """Default unset: the message is kept as text."""
    processors: list[Processor] = []
    """Run on every event of this input, in order, among the global processors as
    the container logs' are: after add_kubernetes_metadata and after filebeat
    adds agent, ecs and host. Default none."""


def check_extra_inputs(inputs: list[ExtraInput], mounted: list[str]) -> None:
    """Refuse an input whose progress another's would overwrite, or that reads
    nothing because its files are not in the pod (`mounted`: where the pod
    sees the node's directories)."""
    seen = {CONTAINER_INPUT_ID}
    for index, extra in enumerate(inputs):
        if extra.id in seen:
            whose = "the container logs' input" if extra.id == CONTAINER_INPUT_ID else (
                "another input")
            raise KeyedError(f"extraInputs.{index}.id", (
                f"{extra.id!r} is {whose}'s id; filebeat keeps each input's progress "
                "under its id, so each needs its own"))
        seen.add(extra.id)
        for path in extra.paths:
            if not under(path, mounted):
                raise KeyedError(f"extraInputs.{index}.paths", (
                    f"extraInputs[{index}].paths has {path!r}, which is not under any of "
                    "containerLogs.hostPaths or hostPaths, so filebeat would find nothing "
                    "there; mount its directory"), also=("containerLogs.hostPaths", "hostPaths"))


def under(path: str, roots: list[str]) -> bool:
    """Is `path` below one of `roots`, so that a pod that mounts them sees it?"""
    return any(path.startswith(root.rstrip("/") + "/") for root in roots)
