"""kubernetes-validate, with each schema file read once per test run, and the
vendored CRDs (tests/crds/) for the custom kinds it does not know.

Its `validate` re-reads and re-parses the schema files on every call, which
makes up nearly all of its time. The files never change during a run, so
reading each once is safe, and it turns 13 objects from 150 ms into 10 ms.
"""

import functools

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils
from kubernetes_validate.utils import ValidationError, all_versions

from tests.crd_schema import is_custom, validate_custom

utils.schema_contents = functools.lru_cache(maxsize=None)(utils.schema_contents)

VERSIONS = sorted(set(all_versions()), key=lambda v: tuple(int(p) for p in v.split(".")))
OLDEST_AND_NEWEST = [VERSIONS[0], VERSIONS[-1]]


def validate(body: dict, version: str = VERSIONS[-1]) -> None:
    """Raise `ValidationError` unless `body` fits the API's schema exactly
    (strict: an unknown field is an error, as `kubectl apply` would warn).
    A custom kind is checked against its CRD, which does not vary with `version`;
    its errors are jsonschema's, a `ValidationError` too."""
    if is_custom(body["apiVersion"], body["kind"]):
        try:
            validate_custom(body)
        except jsonschema.ValidationError as error:
            raise ValidationError(error, version) from error
        return
    kubernetes_validate.validate(body, version, strict=True)


__all__ = ["OLDEST_AND_NEWEST", "VERSIONS", "ValidationError", "validate"]
