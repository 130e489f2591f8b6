"""The entry points: every document of a text, exactly one, or the texts of a
batch (a folder's files) read under one set of limits."""

from dataclasses import replace
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


class Batch:
    """Several texts read as if they were one: their bytes, nodes and expanded
    sizes all count against one `limits`, so a folder of a thousand files is
    bounded as one file is, not a thousand times over. Anchors do not reach
    from one text into the next. After a refusal the batch is spent."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self._builder = Builder("", limits)
        self._limits = limits
        self._bytes = 0

    def remaining(self) -> Limits:
        """The limits with the bytes still left: what reading the next file
        needs to read no more than it may."""
        return replace(self._limits, max_bytes=max(0, self._limits.max_bytes - self._bytes))

    def load_documents(self, text: str | bytes, origin: str) -> list[Any]:
        """As `load_documents`, counting what this batch has read before."""
        decoded = decode(text, origin, self.remaining())
        self._bytes += len(decoded.encode("utf-8")) if isinstance(text, str) else len(text)
        self._builder.restart(origin)
        return self._builder.run(decoded).documents
