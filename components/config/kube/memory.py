"""Memory quantities: the unit slips they catch, and the least each container is given.

Kubernetes takes `memory: 1000m` (one byte: `m` is milli, not mebi) and
`memory: 1024` (bytes), and the container then cannot start; for redis, a
maxmemory derived from such a limit rounds down to 0, which redis reads as no
cap at all. So a memory quantity below a mebibyte is refused wherever one is
typed, saying what the unit means and which one was likely meant, and each of
our containers refuses less than it needs to start.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

from .numbers import Quantity, quantity_value

MIB = 2**20


@dataclass(frozen=True)
class MemoryFloor:
    """The least memory a container is given, requested or as its limit."""

    bytes: int
    whose: str
    """The container, as a message names it: "redis'", "the exporter's"."""
    why: str
    """What goes wrong below it, said when no unit slip explains the value."""


ANY_CONTAINER = MemoryFloor(MIB, "any container's", "no container runs in less")
REDIS = MemoryFloor(16 * MIB, "redis'", (
    "redis needs a few MiB of its own before it holds a log, and at its limit the kernel "
    "kills it with every log it buffers"))
FILEBEAT = MemoryFloor(32 * MIB, "filebeat's", (
    "below it filebeat is OOM-killed as it starts, and the node's logs stay unshipped"))
EXPORTER = MemoryFloor(16 * MIB, "the exporter's", (
    "below it the exporter is OOM-killed as it starts, and the buffer goes unwatched"))

_SLIPS = {"m": "'m' means thousandths of a byte", "": "a number without a unit counts bytes"}
_NUMBER = re.compile(r"\+?([0-9.]*)(.*)")


def below_floor(quantity: str, floor: MemoryFloor) -> str | None:
    """Why `quantity`, a valid Quantity, is too little for a container with
    `floor`; None when it is enough."""
    value = quantity_value(quantity)
    if value >= floor.bytes:
        return None
    below = f"below {floor.whose} floor of {size_text(floor.bytes)}"
    slip = unit_slip(quantity)
    if slip:
        return f"({quantity}) is {_bytes(value)}, {below}{slip}"
    return f"({quantity}) is {below}: {floor.why}"


def unit_slip(quantity: str) -> str:
    """What the unit of `quantity` means when it is milli or none, and the
    quantity in mebibytes when that is a likely size, to end a refusal with;
    '' for every other unit."""
    match = _NUMBER.fullmatch(quantity)
    number, unit = match.groups() if match else ("", "")
    if unit not in _SLIPS:
        return ""
    likely = number and Decimal(number) < MIB  # as MiB, under a TiB
    return f"; {_SLIPS[unit]}" + (f": for mebibytes, write {number}Mi" if likely else "")


def size_text(size: int) -> str:
    """A whole number of bytes in the largest binary unit that holds it exactly."""
    for unit, suffix in ((2**30, "Gi"), (MIB, "Mi"), (2**10, "Ki")):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def _bytes(value: Decimal) -> str:
    return "1 byte" if value == 1 else f"{format(value.normalize(), 'f')} bytes"


def _check_memory(quantity: str) -> str:
    problem = below_floor(quantity, ANY_CONTAINER)
    if problem:
        raise ValueError(problem)
    return quantity


MemoryQuantity = Annotated[Quantity, AfterValidator(_check_memory)]
"""A container's memory: a Quantity of at least a mebibyte."""
