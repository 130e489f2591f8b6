"""Security-scanner waivers, written on the object they excuse, each with its reason.

checkov reads `checkov.io/skip<N>: <CHECK>=<reason>` annotations. A waiver is
added only where the check would really fail, and only for what cannot be
fixed in config: a check that can be met is met instead. The reason is the
review record, so it says why, in words a reviewer can disagree with.
"""

from collections.abc import Iterable

UNPINNED_IMAGE = (
    "CKV_K8S_43",
    "no digest is configured yet; set imageDigest once it has been looked up in the registry",
)


def waiver_annotations(waivers: Iterable[tuple[str, str]]) -> dict[str, str]:
    annotations = {}
    for number, (check, reason) in enumerate(waivers, start=1):
        if "=" in reason:
            raise ValueError(f"a checkov reason cannot contain '=': {reason!r}")
        annotations[f"checkov.io/skip{number}"] = f"{check}={reason}"
    return annotations


def image_waivers(image: str, digest: str | None) -> list[tuple[str, str]]:
    return [] if digest or "@" in image else [UNPINNED_IMAGE]
