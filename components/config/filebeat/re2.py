"""Regular expressions as filebeat reads them: Go's RE2 syntax.

Python's `re` is close to RE2 for what log patterns use; the constructs RE2
lacks are refused outright rather than left to fail on every node.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field


def _check_re2(pattern: str) -> str:
    if re.search(r"\(\?<?[=!]|\\[1-9]", pattern):
        raise ValueError("uses a lookaround or backreference, which filebeat's RE2 lacks")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise ValueError(f"is not a regular expression: {error}") from None
    return pattern


Re2Pattern = Annotated[str, Field(min_length=1), AfterValidator(_check_re2)]
"""A non-empty pattern in the syntax filebeat's Go regexp package reads."""
