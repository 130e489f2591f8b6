"""Kubernetes' rules for names, label and annotation keys, and paths, as pydantic types.

The API server enforces these (k8s.io/apimachinery/pkg/util/validation), but
only once `pulumi up` is half-way through a rollout. Checking them while the
config is parsed turns a failed deploy into a one-line error that names the
stack key. Each message says what the rule is, so nobody has to look it up.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

from ..errors import quoted

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
# The classic C-identifier-like rule. Kubernetes 1.34 relaxed it to "any
# printable ASCII but '='", but older clusters still refuse anything else, and
# we target every version that kubernetes-validate ships.
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


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


DNS1123Label = Annotated[str, AfterValidator(_check_dns1123_label)]
DNS1035Label = Annotated[str, AfterValidator(_check_dns1035_label)]
DNS1123Subdomain = Annotated[str, AfterValidator(_check_dns1123_subdomain)]
LabelKey = Annotated[str, AfterValidator(_check_label_key)]
LabelValue = Annotated[str, AfterValidator(_check_label_value)]
AnnotationKey = Annotated[str, AfterValidator(_check_annotation_key)]
EnvVarName = Annotated[str, AfterValidator(_check_env_var_name)]
PortName = Annotated[str, AfterValidator(_check_port_name)]
AbsolutePath = Annotated[str, AfterValidator(_check_absolute_path)]
ConfigKey = Annotated[str, AfterValidator(_check_config_key)]


def _check_not_empty_selector(labels: dict[str, str]) -> dict[str, str]:
    if not labels:
        raise ValueError(
            "must hold at least one label: the labels become the selector, and "
            "Kubernetes refuses an empty one"
        )
    return labels


Labels = Annotated[dict[LabelKey, LabelValue], AfterValidator(_check_not_empty_selector)]
"""Pod labels, which also become the workload's selector."""
