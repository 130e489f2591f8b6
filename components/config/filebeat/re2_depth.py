"""How deep filebeat's Go regexp may nest a pattern: an upper bound, from its shape.

Go refuses a parse tree more than 1000 levels deep (regexp/syntax's
maxHeight). Lacking Go's parser, this reads the pattern's structure (RE2 has
already accepted its syntax) and counts, never under, what each construct can
add to the tree Go builds from filebeat's rewrite of it:

- a run of two or more pieces (a concatenation): one level over its deepest
  piece (Go makes a literal run one node, however long: so a long flat
  pattern is shallow);
- a capturing group: one level over its content; a non-capturing one none;
- a repetition (`*`, `+`, `?`, `{n}`, `{n,}`): one level; `x{n,m}` also the
  m-n nested optional copies filebeat's rewrite makes of it, two levels each;
- an alternation: one level, plus what Go's factoring of common leading
  pieces can nest. Each factoring level takes at least one leading piece
  from every branch of a group of two or more, so it nests at most as many
  levels as the second-longest branch has pieces (each character counted
  as one), two levels each.
"""

import re

_REPEAT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_GROUP = re.compile(r"\(\?(?:P?<[^>]*>|[a-zA-Z-]*:)?")
"""A group's opening: capturing, named, or non-capturing with flags."""
_FLAGS_ALONE = re.compile(r"\(\?[a-zA-Z-]*\)")
"""(?i): changes flags, builds no node."""


class _Branches:
    """The alternatives of one group (or of the whole pattern) read so far."""

    def __init__(self, node: int) -> None:
        self.node = node
        """1 for a capturing group, which is a node; 0 for one that is not."""
        self.done: list[tuple[int, int]] = []  # (height, pieces) of each
        self.deepest = self.pieces = 0  # of the branch being read

    def add(self, height: int, pieces: int) -> None:
        self.deepest, self.pieces = max(self.deepest, height), self.pieces + pieces

    def next_branch(self) -> None:
        # One piece is its own node; more are a concatenation's children.
        self.done.append((self.deepest + (self.pieces > 1), self.pieces))
        self.deepest = self.pieces = 0

    def height(self) -> int:
        """The group's height, its own node included."""
        self.next_branch()
        deepest = max(height for height, _ in self.done)
        if len(self.done) > 1:
            lengths = sorted((pieces for _, pieces in self.done), reverse=True)
            deepest += 1 + 2 * lengths[1]
        return self.node + deepest


class _Reader:
    """Reads left to right with a stack of open groups, not recursion: RE2
    takes nesting a thousand deep, past Python's own recursion limit."""

    def __init__(self, pattern: str) -> None:
        self.text, self.at = pattern, 0

    def height(self) -> int:
        open_groups = [_Branches(node=0)]
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char == "|":
                self.at += 1
                open_groups[-1].next_branch()
            elif char == ")" and len(open_groups) > 1:
                self.at += 1
                group = open_groups.pop().height()
                open_groups[-1].add(group + self.repetitions(), 1)
            elif flags := _FLAGS_ALONE.match(text, self.at):
                self.at = flags.end()
            elif char == "(":
                opening = _GROUP.match(text, self.at)
                self.at = opening.end() if opening else self.at + 1
                captures = not opening or "<" in opening.group()
                open_groups.append(_Branches(node=int(captures)))
            else:
                pieces = self.atom()
                open_groups[-1].add(1 + self.repetitions(), pieces)
        while len(open_groups) > 1:  # never, once RE2 has read it
            group = open_groups.pop().height()
            open_groups[-1].add(group, 1)
        return open_groups[0].height()

    def atom(self) -> int:
        """Reads a character, an escape, a class or a \\Q...\\E quote: how many
        pieces it is (each character of a quote is one)."""
        text, at = self.text, self.at
        if text[at] == "[":
            self.at = self._class_end(at)
            return 1
        if text.startswith("\\Q", at):
            end = text.find("\\E", at + 2)
            self.at = len(text) if end < 0 else end + 2
            return max(1, (len(text) if end < 0 else end) - at - 2)
        self.at = self._escape_end(at) if text[at] == "\\" else at + 1
        return 1

    def repetitions(self) -> int:
        added = 0
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in "*+?":
                self.at += 1
                added += 1
            elif repeat := _REPEAT.match(self.text, self.at):
                self.at = repeat.end()
                low, comma, high = repeat.groups()
                added += 1 + (2 * max(0, int(high) - int(low)) if comma and high else 0)
            else:
                return added
            if self.at < len(self.text) and self.text[self.at] == "?":  # lazy
                self.at += 1
        return added

    def _class_end(self, at: int) -> int:
        text, at = self.text, at + 1
        if text.startswith("^", at):
            at += 1
        if text.startswith("]", at):
            at += 1  # a leading ] is a member
        while at < len(text) and text[at] != "]":
            if text.startswith("[:", at) and (close := text.find(":]", at + 2)) >= 0:
                at = close + 2
            elif text[at] == "\\":
                at = self._escape_end(at)
            else:
                at += 1
        return at + 1

    def _escape_end(self, at: int) -> int:
        text, at = self.text, at + 1
        if at < len(text) and text[at] in "pPx" and text.startswith("{", at + 1):
            return text.find("}", at) + 1
        if at < len(text) and text[at] in "pP":
            return at + 2  # \pL
        if at < len(text) and text[at] == "x":
            return at + 3  # \x41
        if at < len(text) and text[at].isdigit():
            end = at + 1
            while end < min(len(text), at + 3) and text[end] in "01234567":
                end += 1
            return end
        return at + 1


def depth_bound(pattern: str) -> int:
    """At least the height of the tree Go builds from filebeat's rewrite of
    `pattern`, which RE2 has already read."""
    return _Reader(pattern).height()
