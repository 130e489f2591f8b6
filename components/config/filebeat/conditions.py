"""`when`: the conditions filebeat 8 checks before a processor runs.

The keys and what each accepts are libbeat's (`libbeat/conditions`): one
condition per mapping, chosen by its key. filebeat takes the first key it
knows in its own order and ignores the rest, so a mapping with two is
refused here rather than half applied.
"""

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from ..base import CamelModel
from .re2 import Re2Pattern

FieldName = Annotated[str, Field(min_length=1)]
"""An event field, dotted as filebeat writes it: `kubernetes.namespace`."""

def _not_negative(value: bool | int | str) -> bool | int | str:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise ValueError("must not be negative: filebeat compares numbers as unsigned, so "
                         "it would never match")
    return value


EqualsValue = Annotated[bool | int | str, AfterValidator(_not_negative)]
"""What `equals` compares with: text, a whole number or a boolean."""


class Condition(CamelModel):
    """Exactly one of the keys below. Each names event fields; an event
    without the field does not match."""

    equals: Annotated[dict[FieldName, EqualsValue], Field(min_length=1)] | None = None
    """Every field has exactly this value. Default unset."""
    contains: Annotated[dict[FieldName, str], Field(min_length=1)] | None = None
    """Every field's text contains this text. Default unset."""
    regexp: Annotated[dict[FieldName, Re2Pattern], Field(min_length=1)] | None = None
    """Every field's text matches this pattern (RE2, unanchored). Default unset."""
    has_fields: Annotated[list[FieldName], Field(min_length=1)] | None = None
    """The event has every one of these fields. Default unset."""
    and_: Annotated[list["Condition"], Field(min_length=1)] | None = Field(None, alias="and")
    """Every condition in the list holds. Default unset."""
    or_: Annotated[list["Condition"], Field(min_length=1)] | None = Field(None, alias="or")
    """At least one condition in the list holds. Default unset."""
    not_: "Condition | None" = Field(None, alias="not")
    """The condition does not hold. Default unset."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "Condition":
        given = [(field.alias or name) for name, field in type(self).model_fields.items()
                 if getattr(self, name) is not None]
        if len(given) != 1:
            keys = ", ".join(field.alias or name for name, field in
                             type(self).model_fields.items())
            what = f"has {' and '.join(given)}" if given else "is empty"
            # The rule is the mapping's own, so the error names the mapping.
            raise ValueError(f"{what}: a condition is exactly one of {keys}; combine "
                             "several with and")
        return self

    def filebeat(self) -> dict[str, object]:
        """The condition in filebeat's own keys."""
        if self.has_fields is not None:
            return {"has_fields": list(self.has_fields)}
        if self.and_ is not None:
            return {"and": [c.filebeat() for c in self.and_]}
        if self.or_ is not None:
            return {"or": [c.filebeat() for c in self.or_]}
        if self.not_ is not None:
            return {"not": self.not_.filebeat()}
        key, value = next((k, v) for k, v in (("equals", self.equals),
                                             ("contains", self.contains),
                                             ("regexp", self.regexp)) if v is not None)
        return {key: dict(value)}
