"""The nodes to check: a cluster's own list, or a plan of nodes that do not exist yet.

Three shapes are read, one line per problem, naming the file and the node:
- what `kubectl get nodes -o yaml` (or `-o json`) prints: a `List` of Nodes,
  or one Node;
- a plan: a list of nodes, or a mapping with such a list under `nodes`, each
  `{name, labels, taints}` with taints as Kubernetes writes them
  (`{key, value, effect}`). `toolchain/cluster up --node-file` reads the
  same shape, so an inventory can be made into a simulated cluster.
"""

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config.suggestions import did_you_mean
from ..untrusted_yaml import UnreadableFileError, UntrustedYamlError, load_document, read_file
from .rules import Node

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


class InventoryError(Exception):
    """The node inventory cannot be read; one line per problem."""


def read_inventory(path: Path) -> list[Node]:
    origin = str(path)
    try:
        data = read_file(path, origin)
        document = _as_json(data)
        if document is _NOT_JSON:
            document = load_document(data, origin)
    except (UnreadableFileError, UntrustedYamlError) as error:
        raise InventoryError(str(error)) from None
    return nodes_of(document, origin)


_NOT_JSON = object()


def _as_json(data: bytes) -> Any:
    """`kubectl get nodes -o json`, read at C speed: five times the YAML reader's
    on 5,000 nodes. JSON has no aliases, and the file is already bounded in
    size; anything json refuses (or a key given twice, or nesting too deep for
    it) goes to the YAML reader, whose error names the place."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return _NOT_JSON
    try:
        return json.loads(data, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise ValueError("a key given twice")
    return mapping


PLAN_KEYS = ("name", "labels", "taints")


def nodes_of(document: Any, origin: str) -> list[Node]:
    if isinstance(document, Mapping) and document.get("kind") in ("List", "NodeList"):
        entries, shape = document.get("items"), "kubectl"
    elif isinstance(document, Mapping) and document.get("kind") == "Node":
        entries, shape = [document], "kubectl"
    elif isinstance(document, Mapping) and "nodes" in document:
        entries, shape = document["nodes"], "plan"
    else:
        entries, shape = document, "plan"
    if isinstance(entries, list) and not entries:
        # A cluster or a plan with no nodes is well formed, yet a check of it
        # would pass while checking nothing: most often the wrong context.
        raise InventoryError(f"{origin}: holds no nodes: a check of it would check nothing")
    if not isinstance(entries, list):
        raise InventoryError(f"{origin}: not a node inventory: give the output of `kubectl get "
                             "nodes -o yaml`, or a list of nodes with name, labels and taints")
    if shape == "kubectl":
        problems = _not_nodes(entries, origin, document.get("kind") == "NodeList")
        if problems:
            raise InventoryError("\n".join(problems))
    problems = []
    nodes = []
    for index, entry in enumerate(entries):
        at = f"items[{index}]" if shape == "kubectl" else f"nodes[{index}]"
        node = _node(entry, shape, f"{origin}: {at}", problems)
        if node is not None:
            nodes.append(node)
    listed = Counter(n.name for n in nodes)
    problems += [f"{origin}: node {name!r} is listed twice"
                 for name in sorted(name for name, times in listed.items() if times > 1)]
    if problems:
        raise InventoryError("\n".join(problems))
    return nodes


def _not_nodes(items: list[Any], origin: str, node_list: bool) -> list[str]:
    """`kubectl get pods -o json` is a List too, and its pods have names and
    labels: read as nodes, they were checked and reported as if a cluster.
    One line per kind found, as a wrong command makes every item wrong. The API
    server leaves `kind` out of a NodeList's items, kubectl keeps it in a List."""
    kinds: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue  # said by _node, with the other problems of the node
        kind = item.get("kind", "Node" if node_list else None)
        if kind != "Node":
            kinds.setdefault("(none)" if kind is None else str(kind), []).append(index)
    return [f"{origin}: items[{indices[0]}]: kind: {kind}, not Node"
            f"{f' (and {len(indices) - 1} more)' if len(indices) > 1 else ''}: give the "
            "output of `kubectl get nodes -o yaml`" for kind, indices in kinds.items()]


def _node(entry: Any, shape: str, where: str, problems: list[str]) -> Node | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: must be a mapping")
        return None
    before = len(problems)
    if shape == "kubectl":
        metadata, spec = entry.get("metadata"), entry.get("spec")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        spec = spec if isinstance(spec, Mapping) else {}
        name, labels, taints = metadata.get("name"), metadata.get("labels"), spec.get("taints")
        at, taints_at = "metadata.", "spec.taints"
    else:
        name, labels, taints = entry.get("name"), entry.get("labels"), entry.get("taints")
        at, taints_at = "", "taints"
    if not isinstance(name, str) or not name:
        problems.append(f"{where}: {at}name: must be text")
        name = ""
    else:
        where = f"{where.rpartition(':')[0]}: node {name!r}"
    if shape == "plan":
        # A misspelt `taints` read as no taints reported a node covered that
        # its taint keeps every pod off: a plan is written by hand.
        problems += [f"{where}: {key}: unknown key{did_you_mean(str(key), PLAN_KEYS)}"
                     for key in entry if key not in PLAN_KEYS]
    labels = {} if labels is None else labels
    if not (isinstance(labels, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
        problems.append(f"{where}: {at}labels: must map text to text (quote values like "
                        "'true')")
        labels = {}
    taints = [] if taints is None else taints
    if not isinstance(taints, list):
        problems.append(f"{where}: {taints_at}: must be a list")
        taints = []
    for index, taint in enumerate(taints):
        problems += [f"{where}: {taints_at}[{index}]: {p}" for p in _taint_problems(taint)]
    if len(problems) > before:
        return None
    return Node(name, dict(labels), [dict(t) for t in taints])


def _taint_problems(taint: Any) -> list[str]:
    if not isinstance(taint, Mapping):
        return ["must be a mapping with key, value and effect"]
    problems = []
    if not isinstance(taint.get("key"), str) or not taint["key"]:
        problems.append("key: must be text")
    if taint.get("value") is not None and not isinstance(taint["value"], str):
        problems.append("value: must be text")
    if taint.get("effect") not in EFFECTS:
        problems.append(f"effect: must be one of {', '.join(EFFECTS)}")
    unknown = sorted(str(k) for k in taint if k not in ("key", "value", "effect", "timeAdded"))
    problems += [f"{key}: unknown key" for key in unknown]
    return problems
