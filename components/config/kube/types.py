"""Kubernetes' own string rules, as pydantic types.

The API server enforces these (k8s.io/apimachinery/pkg/util/validation), but
only once `pulumi up` is half-way through a rollout. Checking them while the
config is parsed turns a failed deploy into a one-line error that names the
stack key. Each message says what the rule is, so nobody has to look it up.
"""

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator

from ..errors import quoted

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
# The classic C-identifier-like rule. Kubernetes 1.34 relaxed it to "any
# printable ASCII but '='", but older clusters still refuse anything else, and
# we target every version that kubernetes-validate ships.
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
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
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_PERCENT = re.compile(r"([0-9]+)%")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _check_dns1123_label(value: str) -> str:
    if len(value) > 63 or not _DNS1123_LABEL.fullmatch(value):
        raise ValueError(
            f"{quoted(value)} is not a DNS-1123 label: use at most 63 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit"
        )
    return value


def is_dns1123_label(value: str) -> bool:
    return len(value) <= 63 and _DNS1123_LABEL.fullmatch(value) is not None


def is_dns1035_label(value: str) -> bool:
    """Service names must be DNS-1035 labels: stricter than DNS-1123, no leading digit."""
    return len(value) <= 63 and _DNS1035_LABEL.fullmatch(value) is not None


def _check_dns1035_label(value: str) -> str:
    if not is_dns1035_label(value):
        raise ValueError(
            f"{quoted(value)} is not a DNS-1035 label: use at most 63 lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit"
        )
    return value


def _is_dns1123_subdomain(value: str) -> bool:
    return 0 < len(value) <= 253 and all(
        _DNS1123_LABEL.fullmatch(part) for part in value.split(".")
    )


def _check_dns1123_subdomain(value: str) -> str:
    if not _is_dns1123_subdomain(value):
        raise ValueError(
            f"{quoted(value)} is not a DNS-1123 subdomain: use at most 253 characters of "
            "dot-separated lowercase labels, each starting and ending with a letter or digit"
        )
    return value


def _check_label_key(value: str, what: str = "label") -> str:
    prefix, slash, name = value.rpartition("/")
    if slash and not _is_dns1123_subdomain(prefix):
        raise ValueError(
            f"{what} key {quoted(value)} has an invalid prefix: the part before '/' must be "
            "a DNS-1123 subdomain such as 'app.kubernetes.io'"
        )
    if len(name) > 63 or not _QUALIFIED_NAME.fullmatch(name):
        raise ValueError(
            f"{what} key {quoted(value)} is invalid: the name part must be 1-63 characters of "
            "letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
        )
    return value


def _check_annotation_key(value: str) -> str:
    # Annotation keys follow the label keys' rules; only the values differ.
    return _check_label_key(value, "annotation")


def is_label_value(value: str) -> bool:
    return not value or (len(value) <= 63 and _QUALIFIED_NAME.fullmatch(value) is not None)


def _check_label_value(value: str) -> str:
    if not is_label_value(value):
        raise ValueError(
            f"label value {quoted(value)} is invalid: use at most 63 letters, digits, '-', '_' "
            "and '.', starting and ending with a letter or digit (or leave it empty)"
        )
    return value


def _check_env_var_name(value: str) -> str:
    if not _ENV_VAR_NAME.fullmatch(value) or value in (".", "..") or value.startswith(".."):
        raise ValueError(
            f"{quoted(value)} is not a valid environment variable name: use letters, digits, "
            "'_', '-' and '.', not starting with a digit or '..'"
        )
    return value


def _check_port_name(value: str) -> str:
    if (
        len(value) > 15
        or not _IANA_SVC_NAME.fullmatch(value)
        or "--" in value
        or not any(c.isalpha() for c in value)
    ):
        raise ValueError(
            f"{quoted(value)} is not a valid port name: use at most 15 lowercase letters, "
            "digits and single '-', with at least one letter"
        )
    return value


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


def _check_config_key(value: str) -> str:
    # Kubernetes holds a Secret's data keys to the same rule (IsConfigMapKey),
    # so one check, and one message, serves both.
    if len(value) > 253 or not _CONFIG_KEY.fullmatch(value) or value in (".", ".."):
        raise ValueError(
            f"{quoted(value)} is not a ConfigMap or Secret key: use letters, digits, '-', '_' "
            "and '.', at most 253 characters, and not '.' or '..'"
        )
    return value


def _check_absolute_path(value: str) -> str:
    if not value.startswith("/") or "\0" in value:
        raise ValueError(f"{quoted(value)} is not an absolute path: start it with '/'")
    return value


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


DNS1123Label = Annotated[str, AfterValidator(_check_dns1123_label)]
DNS1035Label = Annotated[str, AfterValidator(_check_dns1035_label)]
DNS1123Subdomain = Annotated[str, AfterValidator(_check_dns1123_subdomain)]
LabelKey = Annotated[str, AfterValidator(_check_label_key)]
LabelValue = Annotated[str, AfterValidator(_check_label_value)]
AnnotationKey = Annotated[str, AfterValidator(_check_annotation_key)]
EnvVarName = Annotated[str, AfterValidator(_check_env_var_name)]
PortName = Annotated[str, AfterValidator(_check_port_name)]
Quantity = Annotated[str, BeforeValidator(_number_as_quantity), AfterValidator(_check_quantity)]
Image = Annotated[str, AfterValidator(_check_image)]
AbsolutePath = Annotated[str, AfterValidator(_check_absolute_path)]
ConfigKey = Annotated[str, AfterValidator(_check_config_key)]
Digest = Annotated[str, AfterValidator(_check_digest)]
Port = Annotated[int, Field(ge=1, le=65535)]
INT32_MAX = 2**31 - 1
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A non-negative int32, as Kubernetes stores counts and seconds. The bound also
keeps values exact: Pulumi carries numbers as doubles."""
IntOrPercent = Annotated[
    int | str, PlainValidator(_check_int_or_percent, json_schema_input_type=int | str)
]
"""A count of pods, or a share of them: Kubernetes' IntOrString."""

def _check_not_empty_selector(labels: dict[str, str]) -> dict[str, str]:
    if not labels:
        raise ValueError(
            "must hold at least one label: the labels become the selector, and "
            "Kubernetes refuses an empty one"
        )
    return labels


Labels = Annotated[dict[LabelKey, LabelValue], AfterValidator(_check_not_empty_selector)]
"""Pod labels, which also become the workload's selector."""


def is_zero(value: int | str) -> bool:
    """True for 0 and '0%': both mean "none" to the rollout controller."""
    return int(str(value).removesuffix("%")) == 0
