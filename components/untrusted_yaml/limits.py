"""What one call of the reader accepts, with the reasoning behind each figure.

A leaf of the package: the builder checks these as the input reaches them,
and docs/security.md quotes them as the input bound of every command.
"""

from dataclasses import dataclass
from typing import Final

MiB: Final = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one call accepts. Our stack files are 1-3 KB, about 100 nodes and 6
    levels deep; the largest real YAML measured here, the 1.5 MB Pulumi Stack
    CRD (tests/crds), has 25,000 nodes and nests 35 collections deep."""

    max_bytes: int = 8 * MiB
    """UTF-8 bytes of the whole text, checked before parsing. A rendered folder
    of 1000 node classes is a few MB, and `kubectl kustomize` output saved as
    one file puts all of it in one file; one Kubernetes object is at most 3 MiB
    (the API server's request limit). 8 MiB is two to three times both, and
    reads in about 2 s."""
    max_nodes: int = 250_000
    """Scalars, collections, aliases and documents in the stream. Real YAML
    has ~60 bytes a node (the CRD: 25,000 in 1.5 MB), so 8 MiB of it is
    ~140,000; dense text (`[1,1,1,...]`, 2 bytes a node) would otherwise reach
    4 million: ~30 s and gigabytes of Python objects."""
    max_depth: int = 100
    """Nested collections. Kubernetes manifests nest ~15 deep and the deepest
    CRD schema measured 35; 100 also keeps far below Python's recursion limit
    for whatever walks the result recursively (json, deepcopy, pydantic)."""
    max_expanded_nodes: int = 1_000_000
    """Nodes the stream would have if every alias were expanded, which is what
    json.dumps or a diff walks. A real file with a few merge keys expands by a
    few per cent; "billion laughs" by 10^9. Four times max_nodes, so a file at
    the node limit may still reuse anchors; a million nodes dump to JSON in ~1 s."""
    max_expanded_chars: int = 32 * MiB
    """Scalar characters with every alias expanded: one 1 MiB scalar aliased
    a thousand times is a small node count but a 1 GB JSON. Four times
    max_bytes, which bounds an alias-free file."""
    max_scalar_chars: int = 1 * MiB
    """One scalar. Kubernetes refuses a ConfigMap or Secret over 1 MiB, so no
    field of an object it would accept is longer."""
    max_number_chars: int = 100
    """An int or float as written. int64 has 19 digits and a float64 needs
    at most 17 significant ones; Python refuses ints of over 4300 digits only
    when they are converted (to str, so in json.dumps), with a ValueError. 100
    leaves room for underscores, exponents and long decimal fractions."""
    max_problems: int = 20
    """Problems reported before giving up: enough to fix a file in one round,
    few enough for a CI log."""


DEFAULT_LIMITS: Final = Limits()
