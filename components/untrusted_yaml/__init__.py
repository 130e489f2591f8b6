"""One reader for YAML that comes from pull requests: bounded, and every bad
input ends in one line per problem, `<origin>:<line>:<column>: <what>`.

    documents = load_documents(text, "stacks/Pulumi.dev.yaml")   # like safe_load_all
    document = load_document(text, "stacks/Pulumi.dev.yaml")     # exactly one, or None

Either raises `UntrustedYamlError`; nothing else escapes (no traceback, no
RecursionError, no `ValueError: Exceeds the limit (4300 digits)`).

How: libyaml's C parser (PyYAML's pure-Python one where libyaml is missing)
turns the text into events and `builder` makes the values from them itself,
checking each limit (`limits`) as the input reaches it; see `builder` for why
not PyYAML's composer.

Modules: `limits` (what is accepted, and why those figures), `problems` (the
error and its lines), `text` (bytes to text: size, UTF-8, forbidden
characters), `scalars` (tags and scalar values), `mappings` (sequences and
mappings as they fill: keys, duplicates, merges), `builder` (the event walk),
`reader` (the entry points), `files` (reading a file: regular files only,
confined to a folder when one is given, never past the size limit).

Values are what `yaml.safe_load` gives, except (all deliberate):
- timestamps stay the text they were written as (`2024-01-01` is the str
  "2024-01-01", not a date), as JSON, Kubernetes and Pulumi hold them;
- `<<` and `=` as values are the strings "<<" and "=" (safe_load fails);
- tags other than str, int, float, bool, null, seq, map and timestamp are
  refused, including the safe ones with no JSON form (!!binary, !!set,
  !!omap, !!pairs), every !!python/... tag and every local tag (`!foo`);
- keys that are sequences or mappings, and keys given twice in one mapping,
  are refused (safe_load fails with a TypeError, or keeps the last one).
Merge keys (`<<: *base`) resolve as YAML 1.1 says and PyYAML, Pulumi's
yaml.v3 and kubectl's go-yaml do: explicit keys win over merged ones, and in
`<<: [*a, *b]` the earlier mapping wins. Their cost is part of the count.
As with safe_load, an alias is the same Python object as its anchor.
Keys that are plain `on`, `yes`, `1` stay YAML 1.1's True, True and 1.
"""

from .files import UnreadableFileError, read_file
from .limits import DEFAULT_LIMITS, Limits, MiB
from .problems import Problem, UntrustedYamlError, printable
from .reader import Batch, load_document, load_documents

__all__ = ["DEFAULT_LIMITS", "Batch", "Limits", "MiB", "Problem", "UnreadableFileError",
           "UntrustedYamlError", "load_document", "load_documents", "printable", "read_file"]
