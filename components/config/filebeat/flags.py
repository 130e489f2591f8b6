"""filebeat's own command-line flags, read the way filebeat reads them."""


_BOOL_SHORTHANDS = frozenset("ev")
"""filebeat's one-letter flags that take no value (-e, -v), and so may be
grouped with -c in one argument, as in `-ec`."""


def passes_config_file(arg: str) -> bool:
    """Does `arg` give filebeat a config file, however the flag is spelt?

    filebeat's flags follow pflag: `-c FILE`, `-c=FILE`, `-cFILE`, `--c FILE`,
    `--c=FILE`, and `-ec FILE` after flags that take no value. `--cpuprofile`
    and `--cloud.id` are other flags.
    """
    if arg.startswith("--"):
        return arg == "--c" or arg.startswith("--c=")
    if not arg.startswith("-"):
        return False
    for letter in arg[1:]:
        if letter == "c":
            return True
        if letter not in _BOOL_SHORTHANDS:
            return False  # a flag with a value: the rest of arg is that value
    return False
