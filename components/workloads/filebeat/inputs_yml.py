"""The inputs of the generated filebeat.yml: the container logs, and the extra inputs."""

from typing import Any

from ...config.filebeat.inputs import (
    CONTAINER_INPUT_ID,
    POD_LOGS_DIR,
    ExtraInput,
    JsonLines,
    Multiline,
)
from ...config.filebeat.model import FilebeatConfig
from ...config.filebeat.processors import processors_yml

CONTAINER_LOGS_DIR = "/var/log/containers/"
ROTATED_LOGS = f"{POD_LOGS_DIR}/*/*/*.log.*"
"""The files the kubelet has rotated: 0.log.<time> beside each container's 0.log."""
NOT_TEXT = [r"\.gz$", r"\.tmp$"]
"""The kubelet gzips each rotated file but the newest (to 0.log.<time>.gz,
written first as 0.log.<time>.tmp): neither is text to read."""
# Files are told apart by their first bytes, not by inode or path: a link's
# target can be reused for a new file, and a file the kubelet renames (0.log to
# 0.log.<time>) keeps its fingerprint, so this input carries on where it was
# rather than read it again. That holds within one input only: filebeat keys
# the registry by input id, which is why the rotated files join this input.
FINGERPRINT = {"prospector.scanner.fingerprint.enabled": True, "file_identity.fingerprint": None}


MARK = "@metadata.redis_filebeat_input"
"""Set by each of our inputs on its own events, once any has typed processors,
so that those processors, which run among the global ones (below), touch no
other input's. Set by the input's own processors, which run after its parsers,
and by every input, so no decoded line (`overwriteKeys`) can choose it.
Removed after them: the redis output would ship it."""
UNMARK = {"drop_fields": {"fields": [MARK], "ignore_missing": True}}
FORGED_METADATA = {"drop_fields": {"fields": ["kubernetes", "container"],
                                   "ignore_missing": True}}
"""A JSON line decoded at the event's root may carry keys of its own where
add_kubernetes_metadata writes. It leaves an event that has a `kubernetes` key
alone, so any pod could ship itself as another namespace's, past every
condition on kubernetes.*; it merges its `container` fields into the line's,
whose other keys (and all of them, when it finds no pod) would stay. On the
container input, both come from the API only. (overwriteKeys, which would let
a line replace log.file.path, is refused there: config.filebeat.inputs.)"""


def inputs(config: FilebeatConfig) -> list[dict[str, Any]]:
    """Ours first, then the extra inputs; all marked once any has processors (MARK)."""
    mark = bool(config.container_logs.processors
                or any(extra.processors for extra in config.extra_inputs))
    return [_container_input(config, mark), *(_extra_input(extra, mark)
                                              for extra in config.extra_inputs)]


def _container_input(config: FilebeatConfig, mark: bool) -> dict[str, Any]:
    logs = config.container_logs
    paths = [*logs.paths, *([ROTATED_LOGS] if logs.rotated_logs else [])]
    json_at_root = logs.json_lines is not None and not logs.json_lines.target
    processors = [*([FORGED_METADATA] if json_at_root else []),
                  *([_mark(CONTAINER_INPUT_ID)] if mark else [])]
    return {
        "type": "filestream",
        "id": CONTAINER_INPUT_ID,
        "paths": paths,
        # The kubelet's files in /var/log/containers are links.
        "prospector.scanner.symlinks": True,
        **({"prospector.scanner.exclude_files": NOT_TEXT} if logs.rotated_logs else {}),
        **FINGERPRINT,
        # Strip the runtime's wrapping first, then the typed parsers.
        "parsers": [{"container": {}}, *_parsers(logs.multiline, logs.json_lines)],
        **({"processors": processors} if processors else {}),
    }


def _mark(input_id: str) -> dict[str, Any]:
    return {"add_fields": {"target": "@metadata", "fields": {MARK.partition(".")[2]: input_id}}}


def global_processors(config: FilebeatConfig) -> list[dict[str, Any]]:
    """add_kubernetes_metadata, then each of our inputs' typed processors.

    Not in an input's `processors`: filebeat builds an input's processors
    anew for each file it opens (its harvester's pipeline client), so each
    file got an add_kubernetes_metadata of its own, with its own watch of the
    node's pods, which had seen nothing yet when the file's first lines went
    through. On a real node every line of a pod that wrote its log at once
    arrived without `kubernetes.*` (tests/e2e/real_node/test_stack.py), as
    would the first lines after each reopen of a quiet file. A global
    processor is built once, when filebeat starts.

    Global processors run after the inputs' and after filebeat adds `agent`,
    `ecs` and `host`, so the typed processors run here too, each input's under
    its mark: after the metadata, whose kubernetes.* fields they read, and
    with the same fields in reach on every input, so an option means the same
    on the container logs and on an extra input.
    """
    typed = [(CONTAINER_INPUT_ID, config.container_logs.processors),
             *((extra.id, extra.processors) for extra in config.extra_inputs)]
    processors: list[dict[str, Any]] = [{"add_kubernetes_metadata": _kubernetes_metadata(config)}]
    processors += [{"if": {"equals": {MARK: input_id}}, "then": processors_yml(own)}
                   for input_id, own in typed if own]
    if len(processors) > 1:
        processors.append(UNMARK)
    return processors


def _kubernetes_metadata(config: FilebeatConfig) -> dict[str, Any]:
    matchers: list[dict[str, Any]] = [{"logs_path": {"logs_path": CONTAINER_LOGS_DIR}}]
    metadata: dict[str, Any] = {
        # The option filebeat reads (its config.go); without it the node is
        # looked up through this pod, one more API read at start.
        "node": "${NODE_NAME}",
        # Owners' metadata would need read access to replicasets and jobs,
        # which the ClusterRole does not grant.
        "add_resource_metadata": {"deployment": False, "cronjob": False},
    }
    if config.container_logs.rotated_logs:
        # A path under /var/log/pods names the pod's UID, not the container's
        # ID, so those lines are matched to their pod: pod metadata only. The
        # matcher reads rotated names (0.log.<time>) since elastic/beats#30720 (8.0).
        metadata["default_indexers.enabled"] = False
        metadata["indexers"] = [{"container": {}}, {"pod_uid": {}}]
        matchers.append({"logs_path": {"logs_path": f"{POD_LOGS_DIR}/", "resource_type": "pod"}})
    metadata["matchers"] = matchers
    return metadata


def _extra_input(extra: ExtraInput, mark: bool) -> dict[str, Any]:
    parsers = _parsers(extra.multiline, extra.json_lines)
    return {
        "type": "filestream",
        "id": extra.id,
        "paths": list(extra.paths),
        **({"prospector.scanner.exclude_files": list(extra.exclude_files)}
           if extra.exclude_files else {}),
        **FINGERPRINT,
        **({"parsers": parsers} if parsers else {}),
        **({"processors": [_mark(extra.id)]} if mark else {}),
    }


def _parsers(multiline: Multiline | None, json_lines: JsonLines | None) -> list[dict[str, Any]]:
    """Decode each JSON line, then join continuation lines on its message key.

    Filestream runs parsers in order. Multiline first would see the raw JSON
    of every line (`{"msg": ...}`), which no continuation pattern matches, so
    the lines of a stack trace would never join; after ndjson it reads
    `message_key`'s text, which is what the pattern is written against.
    """
    parsers: list[dict[str, Any]] = []
    if json_lines:
        ndjson: dict[str, Any] = {"target": json_lines.target,
                                  "add_error_key": json_lines.add_error_key,
                                  "overwrite_keys": json_lines.overwrite_keys}
        if json_lines.message_key:
            ndjson["message_key"] = json_lines.message_key
        parsers.append({"ndjson": ndjson})
    if multiline:
        parsers.append({"multiline": {
            "type": "pattern",
            "pattern": multiline.pattern,
            "negate": multiline.negate,
            "match": multiline.match,
            "max_lines": multiline.max_lines,
        }})
    return parsers
