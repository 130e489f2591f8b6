"""How the buffer's list is stored in memory, and the log rate it is sized for.

filebeat pushes each event at the tail of one list and the reader pops at
its head, so everything in between is only held. redis keeps a list as a
chain of packed nodes; compressing the nodes nobody touches is what lets the
same `maxmemory` hold several times the events ([sizing](buffer.md#sizing)).
"""

from typing import Annotated

from pydantic import Field, field_validator

from ..base import CamelModel

LISTPACK_BYTES = {-1: 4096, -2: 8192, -3: 16384, -4: 32768, -5: 65536}
"""What the negative list-max-listpack-size values mean: bytes per node."""
MAX_ENTRIES = 2**15
"""redis clamps a larger count to this."""


class Buffer(CamelModel):
    """The list filebeat pushes to and the reader drains."""

    list_compress_depth: Annotated[int, Field(ge=0, le=2**16 - 1)] = 1
    """`list-compress-depth`: how many nodes at each end of the list stay
    uncompressed. Default 1: only the tail node filebeat pushes to and the
    head node the reader pops from; every node between them is compressed,
    and holds several times the events in the same memory. 0 is redis'
    default: no compression. Deeper saves nothing here, since nothing reads
    the middle of the list ([sizing](buffer.md#sizing))."""
    list_max_listpack_size: int = -5
    """`list-max-listpack-size`: how big a node of the list grows. -1 to -5
    are 4, 8, 16, 32 and 64 KiB; a positive number counts entries instead (at
    most 8 KiB a node). Default -5: each node is compressed on its own, so
    bigger nodes compress better, and filling and emptying a list only at its
    ends never pays the cost that makes redis advise smaller nodes elsewhere
    (inserting in the middle). redis' default is -2."""
    expected_rate: Annotated[int, Field(ge=1, le=10**9)] | None = None
    """The cluster's log rate, in events per second, that `render` and `diff`
    turn into how long the buffer outlasts its reader being down. Default
    unset: they state its capacity in events only, unless given `--log-rate`.
    Nothing is deployed from it."""

    @field_validator("list_max_listpack_size")
    @classmethod
    def _listpack_size(cls, value: int) -> int:
        if value in LISTPACK_BYTES or 1 <= value <= MAX_ENTRIES:
            return value
        raise ValueError(
            f"({value}) must be -1 to -5 (4 to 64 KiB a node) or an entry count from 1 to "
            f"{MAX_ENTRIES}")
