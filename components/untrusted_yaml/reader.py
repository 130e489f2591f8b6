"""The two entry points: every document of a text, or exactly one."""

from typing import Any

from .builder import Builder
from .limits import DEFAULT_LIMITS, Limits
from .problems import Problem, UntrustedYamlError
from .text import decode


def load_documents(text: str | bytes, origin: str, *,
                   limits: Limits = DEFAULT_LIMITS) -> list[Any]:
    """Every document in `text`, as `yaml.safe_load_all` would give them (see
    the package's docstring for the differences); an empty document is None.
    `origin` names the text in error lines, a path as the operator would type
    it. Bytes must be UTF-8; a leading BOM is dropped. Raises
    `UntrustedYamlError` for anything refused, listing every problem found."""
    return Builder(origin, limits).run(decode(text, origin, limits)).documents


def load_document(text: str | bytes, origin: str, *,
                  limits: Limits = DEFAULT_LIMITS) -> Any:
    """The one document in `text`, or None for an empty text (or one holding
    only comments). Refuses a text of two or more documents."""
    built = Builder(origin, limits).run(decode(text, origin, limits))
    documents = built.documents
    if len(documents) > 1:
        raise UntrustedYamlError(origin, [Problem(*built.starts[1], (
            f"holds {len(documents)} documents (`---`); only one is expected here"))])
    return documents[0] if documents else None
