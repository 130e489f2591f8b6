#!/usr/bin/env python3
"""Print components/config/redis/names.py from a redis source tree at a release tag.

    toolchain/redis-names/generate.py <redis git dir> 7.4.1 \
        > components/config/redis/names.py

The names come from redis' own sources, never typed by hand: the directives
from src/config.c (each create*Config name and alias, the deprecated ones it
still accepts, and the five it parses itself), the commands from
src/commands/*.json (a file with a "container" is a subcommand: `config|get`),
less the sentinel's own, which a redis server does not have.
"""

import json
import re
import subprocess
import sys
import textwrap

# loadServerConfigFromString() handles these before the config table.
PARSED_BY_HAND = ("include", "rename-command", "user", "loadmodule", "sentinel")


def show(git_dir: str, tag: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{path}"],
                          check=True, capture_output=True, text=True).stdout


def directives(git_dir: str, tag: str) -> set[str]:
    source = show(git_dir, tag, "src/config.c")
    names = set(PARSED_BY_HAND)
    for match in re.finditer(r'create\w+Config\("([^"]+)",\s*(?:NULL|"([^"]+)")', source):
        names.update(n for n in match.groups() if n)
    table = source[source.index("deprecated_configs[] = {"):]
    names.update(re.findall(r'\{"([^"]+)",', table[:table.index("{NULL")]))
    return names


def commands(git_dir: str, tag: str) -> set[str]:
    files = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "--name-only", tag,
                            "src/commands/"], check=True, capture_output=True,
                           text=True).stdout.split()
    names = set()
    for path in files:
        if not path.endswith(".json"):
            continue
        for name, spec in json.loads(show(git_dir, tag, path)).items():
            if "ONLY_SENTINEL" in spec.get("command_flags", ()):
                continue  # a redis server does not have them, and refuses a rule naming one
            container = spec.get("container")
            names.add(f"{container}|{name}".lower() if container else name.lower())
    return names


def frozenset_literal(name: str, values: set[str]) -> str:
    body = textwrap.fill(" ".join(sorted(values)), width=92, break_on_hyphens=False,
                         initial_indent="    ", subsequent_indent="    ")
    return f'{name} = frozenset("""\n{body}\n""".split())\n'


def main(git_dir: str, tag: str) -> None:
    print(f'''"""The directive and command names redis {tag} knows. Generated: do not edit.

    toolchain/redis-names/generate.py <redis git dir> {tag} \\
        > components/config/redis/names.py

redis refuses to start on a config line it does not know, and on an ACL rule
naming a command it does not have, so both are checked against these before
anything is deployed. Subcommands are `container|name`, as ACL rules write them.
"""

REDIS_VERSION = "{tag}"
''')
    print(frozenset_literal("DIRECTIVES", directives(git_dir, tag)))
    print(frozenset_literal("COMMANDS", commands(git_dir, tag)), end="")


if __name__ == "__main__":
    main(*sys.argv[1:3])
