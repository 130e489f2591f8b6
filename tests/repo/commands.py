"""Finding the `python -m components ...` commands in shell text, so that
tests can hold every command the project tells people (the workflow, the
docs) to run against the CLI's own argument parser. `python -m redis_filebeat`,
the same CLI installed (docs/library.md), counts too."""

import re
import shlex

from tests.configs import ROOT


def components_commands(script: str) -> list[list[str]]:
    """The arguments of every `python -m components ...` command in a shell
    script, up to the first shell operator (`||`, `>`, `;`, `|`, `&&`). A
    mention inside a quoted string (an echo) is not a command."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        # A file descriptor written against its redirection (the 2 of `2>`) is
        # no argument; a number before a spaced `>>` is.
        line = re.sub(r"(?<![\w-])\d+(?=[<>])", "", line)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            tokens = list(lexer)
        except ValueError as error:
            raise AssertionError(f"cannot split {line!r}: {error}") from None
        for i, token in enumerate(tokens):
            if re.fullmatch(r"\S*python3?", token) and tokens[i + 1:i + 3] in (
                    ["-m", "components"], ["-m", "redis_filebeat"]):
                args = []
                for arg in tokens[i + 3:]:
                    if arg and set(arg) <= set("|&;<>()"):
                        break
                    args.append(arg)
                commands.append(args)
    return commands


def readme_commands() -> list[str]:
    """The README's two opening commands: set up and render, set up and test."""
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]
