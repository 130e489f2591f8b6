"""Kubernetes' numbers as pydantic types: quantities, ports, counts, and a count or share of pods.

A quantity is read here as Kubernetes reads it (`resource.Quantity`), so that
a request can be compared with its limit, and a memory limit turned into
redis' maxmemory, before anything reaches the API server. Counts are bounded
as Kubernetes stores them, and the messages say what each rule is.
"""

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator

from ..errors import quoted

# resource.Quantity: a decimal number with an optional binary (Ki..Ei),
# decimal (n, u, m, k, M..E) or exponent suffix. Negative quantities parse,
# but a container's requests and limits refuse them, so we do too.
_QUANTITY = re.compile(
    r"\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?"
)
_SUFFIX_SCALE = {
    **{s: Decimal(1024) ** (i + 1) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    **{s: Decimal(1000) ** (i + 1) for i, s in enumerate(("k", "M", "G", "T", "P", "E"))},
}
_PERCENT = re.compile(r"([0-9]+)%")


def _check_quantity(value: str) -> str:
    if not _QUANTITY.fullmatch(value):
        raise ValueError(
            f"{quoted(value)} is not a Kubernetes quantity: write it like '100m', '0.5', "
            "'128Mi' or '1G'"
        )
    return value


def quantity_value(quantity: str) -> Decimal:
    """The number a valid Quantity stands for, to compare requests with limits."""
    match = _QUANTITY.fullmatch(quantity)
    if match is None:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity")
    suffix = match.group(3) or ""
    number = Decimal(quantity[: len(quantity) - len(suffix)] or "0")
    if suffix[:1] in ("e", "E"):
        # Kubernetes caps quantities far below 1e999999999; so do we, and
        # keep Decimal from overflowing on the way.
        return number * Decimal(10) ** max(-30, min(int(suffix[1:]), 30))
    return number * _SUFFIX_SCALE[suffix]


def _check_int_or_percent(value: object) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT32_MAX:
        return value
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value)
        if match and int(match.group(1)) <= 100:
            return value
    raise ValueError(
        f"must be a whole number of pods (0 to {INT32_MAX}) or a percentage from '0%' to "
        f"'100%' (got {quoted(value)})"
    )


def _number_as_quantity(value: object) -> object:
    # YAML's `cpu: 2` is a number; Kubernetes reads it as the quantity "2".
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format(value, "g") if isinstance(value, float) else str(value)
    return value


Quantity = Annotated[str, BeforeValidator(_number_as_quantity), AfterValidator(_check_quantity)]
Port = Annotated[int, Field(ge=1, le=65535)]
INT32_MAX = 2**31 - 1
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A non-negative int32, as Kubernetes stores counts and seconds. The bound also
keeps values exact: Pulumi carries numbers as doubles."""
IntOrPercent = Annotated[
    int | str, PlainValidator(_check_int_or_percent, json_schema_input_type=int | str)
]
"""A count of pods, or a share of them: Kubernetes' IntOrString."""


def is_zero(value: int | str) -> bool:
    """True for 0 and '0%': both mean "none" to the rollout controller."""
    return int(str(value).removesuffix("%")) == 0
