"""The one "did you mean" rule, for stack-file keys and config keys alike.

A leaf: the stack-file reader runs before any model is imported, and uses it too.
difflib is imported by the first suggestion, as only a mistake needs one.
"""

from collections.abc import Iterable


def did_you_mean(key: str, candidates: Iterable[str], cutoff: float = 0.7,
                 prefix: str = "") -> str:
    """`; did you mean 'x'?`, or nothing when no candidate is close enough.

    The key itself is never suggested: it can be a candidate because it is
    valid elsewhere (nodeSelector under filebeat, refused under redis), and
    naming it back would be no help. `prefix` is put before the suggestion
    only, so that it does not count towards the match (`redis-filebeat:`).
    """
    import difflib

    close = difflib.get_close_matches(key, [c for c in candidates if c != key], n=1,
                                      cutoff=cutoff)
    return f"; did you mean {prefix + close[0]!r}?" if close else ""
