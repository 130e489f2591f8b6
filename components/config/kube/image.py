"""Container images as pydantic types, and the reference a pod runs.

A tag can be re-pushed, and then pods started a day apart run different code;
a digest cannot. So the digest's shape is checked where the config is parsed,
and the one place that joins an image and its digest is here, for every
workload's pod template, waivers and pull policy alike.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

from ..errors import quoted

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _check_image(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty: name the container image to run")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError(
            f"{quoted(value)} is not an image reference: it contains whitespace or "
            "control characters"
        )
    return value


def _check_digest(value: str) -> str:
    if not _DIGEST.fullmatch(value):
        raise ValueError(
            f"{quoted(value)} is not an image digest: write it as 'sha256:' and 64 "
            "lowercase hex digits, as `docker buildx imagetools inspect` prints it"
        )
    return value


def digest_conflict(image: str, digest: str | None) -> str | None:
    """Why `image` and `imageDigest` cannot both be given, if they cannot."""
    if digest and "@" in image:
        return "imageDigest is set, but image already names a digest; keep one of the two"
    return None


def is_pinned(image: str, digest: str | None) -> bool:
    """True when the pod runs one exact image: a digest in `imageDigest` or in the image."""
    return bool(digest) or "@" in image


def pinned(image: str, digest: str | None) -> str:
    """The image reference a pod runs: the tag stays for readers, the digest
    (when known) decides what is pulled."""
    return f"{image.split('@', 1)[0]}@{digest}" if digest else image


Image = Annotated[str, AfterValidator(_check_image)]
Digest = Annotated[str, AfterValidator(_check_digest)]
