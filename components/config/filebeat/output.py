"""Where filebeat ships: the redis list or channel, in the generated output.redis."""

from typing import Annotated, Literal

from pydantic import Field

from ..base import CamelModel


class RedisOutput(CamelModel):
    """Where in redis the events go. The host and port come from the Service."""

    key: Annotated[str, Field(min_length=1, max_length=512)] = "filebeat"
    """The list (or channel) name. Default 'filebeat', as in the tutorial."""
    db: Annotated[int, Field(ge=0, le=15)] = 0
    """The redis database. Default 0; redis has 16 (0-15)."""
    datatype: Literal["list", "channel"] = "list"
    """Default list: events wait in redis until read. A channel drops them when
    nobody is subscribed, which a buffer must not."""
    timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    """The connection timeout. Default 5, filebeat's."""
