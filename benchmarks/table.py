"""Plain-text tables that are also markdown, for the terminal and the README."""

import re

_NUMBER = re.compile(r"[-+]?[\d.,]+(\s?(ms|s|%|×|MiB))?|[\d.]+–[\d.]+|—")


def table(header: list[str], rows: list[list[str]]) -> str:
    """Columns of numbers are right-aligned, and marked `---:` for markdown."""
    columns = list(zip(header, *rows, strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]
    numeric = [bool(rows) and all(_NUMBER.fullmatch(cell) for cell in column[1:])
               for column in columns]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if right else c.ljust(w)
                                 for c, w, right in zip(cells, widths, numeric, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if right else "-")
                          for w, right in zip(widths, numeric, strict=True)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
