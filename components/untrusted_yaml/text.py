"""From bytes to the text the parser may see, refusing what YAML does not allow.

Checked before any parsing: the size (so a huge file is never parsed),
UTF-8, and the characters YAML 1.1 forbids anywhere in a stream (NUL and the
other control characters), each reported at its line and column.
"""

import re

from .limits import Limits
from .problems import Problem, UntrustedYamlError, place

NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML 1.1 does not allow anywhere in a stream."""


def decode(text: str | bytes, origin: str, limits: Limits) -> str:
    """`text` as a str without its BOM, or `UntrustedYamlError` with one problem."""
    def refuse(line: int, column: int, message: str) -> UntrustedYamlError:
        return UntrustedYamlError(origin, [Problem(line, column, message)])

    if isinstance(text, str):
        if len(text) > limits.max_bytes:  # never fewer bytes than characters
            raise refuse(*place(text, limits.max_bytes),
                         f"is longer than {limits.max_bytes} bytes; refused unread")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise refuse(*place(text, error.start), "holds a lone surrogate "
                         f"{text[error.start]!r}, which is not text") from None
    else:
        data = text
    if len(data) > limits.max_bytes:
        # The place is where the limit was crossed, counted in the raw bytes.
        head = data[:limits.max_bytes]
        raise refuse(head.count(b"\n") + 1, len(head) - head.rfind(b"\n"),
                     f"is longer than {limits.max_bytes} bytes; refused unread")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = place(data[:error.start].decode("utf-8"), error.start)
        raise refuse(line, column, f"is not UTF-8: byte 0x{data[error.start]:02x} "
                     "cannot start or continue a character") from None
    decoded = decoded.removeprefix("\ufeff")
    bad = NOT_YAML.search(decoded)
    if bad:
        raise refuse(*place(decoded, bad.start()), f"holds the control character "
                     f"U+{ord(bad.group()):04X}, which YAML does not allow")
    return decoded
