"""The base every config model shares: camelCase keys, strict types, no unknown keys."""

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ..conventions import NAME_LABEL
from .kube.names import is_label_value


class KeyedError(ValueError):
    """A rule broken by one key below the model that checks it, so the error
    names `filebeat.updateStrategy.maxSurge`, not just `filebeat`."""

    def __init__(self, key: str, message: str, also: tuple[str, ...] = ()):
        """`also`: the other keys the rule compares `key` with. When an override
        (`--set`, `-f`) changed one of them and not `key`, the error names that
        one instead, since it is what the operator just did; so the message
        must read right after any of them."""
        super().__init__(message)
        self.key = key
        self.also = also


class CamelModel(BaseModel):
    """camelCase keys in YAML, snake_case in Python, and no unknown keys.

    Strict, so YAML's `replicas: "1"` or `labels: {tier: 1}` is an error
    rather than a silent coercion: Kubernetes would refuse the second anyway.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=True,
        # The docstring under each field becomes its description in the JSON
        # Schema, which editors show on hover. components/config/stack/schema.py reads them
        # when it writes the schema; `use_attribute_docstrings` would parse
        # our sources on every import instead, a third of a render's overhead.
    )


def default_labels(data: Any, default_name: str) -> Any:
    """Pod labels default to the workload's name, so two stacks' workloads never
    share a selector by accident."""
    if isinstance(data, dict) and "labels" not in data:
        name = data.get("name", default_name)
        if not (isinstance(name, str) and is_label_value(name) and name):
            # The bad name gets its own error; don't add a second one about
            # a label the operator never wrote.
            name = default_name or "unnamed"
        return {**data, "labels": {NAME_LABEL: name}}
    return data
