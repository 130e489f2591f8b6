"""Typed processors for the generated filebeat.yml: the common cases, each as
filebeat 8 reads it.

Each variant carries its filebeat name as `type`, and the union is chosen by
it. The options are the ones each processor's plugin registers as allowed in
libbeat (`libbeat/processors/actions`), with filebeat's defaults; anything
else would be refused by filebeat at start, on every node at once.
"""

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field

from ..base import CamelModel
from .conditions import Condition, FieldName

Fields = Annotated[list[FieldName], Field(min_length=1)]
"""At least one field: filebeat reads an empty list as a different request
(include_fields would then keep only @timestamp and type)."""


class _Processor(CamelModel):
    type: str
    """filebeat's name for the processor."""
    when: Condition | None = None
    """Run only on events that meet the condition. Default unset: on every event."""

    def filebeat(self) -> dict[str, Any]:
        """The processor as one entry of a filebeat `processors` list."""
        options = self._options()
        if self.when is not None:
            options["when"] = self.when.filebeat()
        return {self.type: options}

    def _options(self) -> dict[str, Any]:
        raise NotImplementedError


class DropEvent(_Processor):
    """Drop the whole event."""

    type: Literal["drop_event"]
    when: Condition
    """Required: without one, filebeat would drop every event."""

    def _options(self) -> dict[str, Any]:
        return {}


class DropFields(_Processor):
    """Remove fields. filebeat never drops @timestamp or type."""

    type: Literal["drop_fields"]
    fields: Fields
    """Field names, or /regular expressions/ between slashes."""
    ignore_missing: bool = False
    """Default false, filebeat's: a missing field is logged as an error."""

    def _options(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "ignore_missing": self.ignore_missing}


class IncludeFields(_Processor):
    """Keep only these fields (and @timestamp and type, which filebeat always keeps)."""

    type: Literal["include_fields"]
    fields: Fields

    def _options(self) -> dict[str, Any]:
        return {"fields": list(self.fields)}


class Rename(CamelModel):
    from_: FieldName = Field(alias="from")
    to: FieldName


class RenameFields(_Processor):
    """Rename fields; filebeat never overwrites a field that exists."""

    type: Literal["rename"]
    fields: Annotated[list[Rename], Field(min_length=1)]
    """Pairs of from and to, applied in order."""
    ignore_missing: bool = False
    """Default false, filebeat's: a missing field is an error."""
    fail_on_error: bool = True
    """Default true, filebeat's: on an error the event is left as it was."""

    def _options(self) -> dict[str, Any]:
        return {"fields": [{"from": pair.from_, "to": pair.to} for pair in self.fields],
                "ignore_missing": self.ignore_missing, "fail_on_error": self.fail_on_error}


class AddFields(_Processor):
    """Add fixed fields to every event."""

    type: Literal["add_fields"]
    fields: Annotated[dict[FieldName, Any], Field(min_length=1)]
    """Values may be text, numbers, lists or mappings."""
    target: str | None = None
    """Where they go. Default unset: under `fields`, filebeat's default. '' puts
    them at the event's root."""

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"fields": dict(self.fields)}
        if self.target is not None:
            options["target"] = self.target
        return options


class AddTags(_Processor):
    """Append tags to a list field."""

    type: Literal["add_tags"]
    tags: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    target: FieldName | None = None
    """Default unset: `tags`, filebeat's default."""

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"tags": list(self.tags)}
        if self.target is not None:
            options["target"] = self.target
        return options


class DecodeJsonFields(_Processor):
    """Decode fields that hold JSON text into objects."""

    type: Literal["decode_json_fields"]
    fields: Fields
    process_array: bool = False
    """Default false, filebeat's: arrays are left as text."""
    max_depth: Annotated[int, Field(ge=1, le=1000)] = 1
    """Default 1, filebeat's: JSON inside the decoded values stays text."""
    target: str | None = None
    """Default unset: the decoded object replaces the text. '' merges it into
    the event's root; not on the container logs, where that runs after
    add_kubernetes_metadata and a line could add kubernetes.* keys of its own
    (containerLogs.json decodes at the root and drops them first)."""
    overwrite_keys: bool = False
    """Default false, filebeat's: decoded keys never replace existing ones."""
    add_error_key: bool = False
    """Default false, filebeat's. true marks an event whose JSON did not decode."""
    expand_keys: bool = False
    """Default false, filebeat's. true turns dotted keys into nested objects."""
    document_id: FieldName | None = None
    """Default unset. A JSON key to move to @metadata._id, for outputs that use it."""

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "fields": list(self.fields), "process_array": self.process_array,
            "max_depth": self.max_depth, "overwrite_keys": self.overwrite_keys,
            "add_error_key": self.add_error_key, "expand_keys": self.expand_keys,
        }
        if self.target is not None:
            options["target"] = self.target
        if self.document_id is not None:
            options["document_id"] = self.document_id
        return options


Processor = Annotated[
    DropEvent | DropFields | IncludeFields | RenameFields | AddFields | AddTags
    | DecodeJsonFields,
    Discriminator("type"),
]
PROCESSOR_TYPES = ("drop_event", "drop_fields", "include_fields", "rename", "add_fields",
                   "add_tags", "decode_json_fields")
"""The `type`s of the union, in the order the docs list them."""


def processors_yml(processors: list[Any]) -> list[dict[str, Any]]:
    return [processor.filebeat() for processor in processors]
