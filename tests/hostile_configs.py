"""Hostile stack configs: every committed stack, broken a few random ways.

The property test (tests/config/test_config_property.py) holds the loader to a
clean error or valid manifests on them; tests/real/runtime/ holds filebeat to
accepting the filebeat.yml of each one that renders.
"""

import copy
import json

from hypothesis import strategies as st

from components.config.stack.model import config_aliases
from components.project import PROJECT, RawConfig
from tests.configs import STACKS, committed_stack, minimal

KEYS = sorted(config_aliases())
HOSTILE_TEXT = [
    "", " ", "\x00", "\n", "-1", "0", "1e309", "NaN", "100%", "101%", "-5%", "true", "null",
    "../../etc/passwd", "/var/log/../..", "a" * 300, "ü" * 70, "💥", "${REDIS_HOST}",
    "$(REDIS_PASSWORD)", "{", "[1,2", "OnDelete", "RollingUpdate", "Exists", "1Gi", "1e30",
    "0.5", "sha256:" + "0" * 64, "redis:7", "-", "A_B", "kube-system", "default",
]


def base_configs() -> list[dict]:
    """Every committed stack, as the engine would pass it, and the minimal one."""
    return [minimal(), *(committed_stack(stack) for stack in STACKS)]


BASES = base_configs()

scalars = (
    st.none() | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 65535, 65536, 2**31 - 1, 2**31, 2**53 + 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(HOSTILE_TEXT)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def paths(node, prefix=()):
    """Every place in a config a mutation can reach."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from paths(child, (*prefix, index))


def mutate(config: dict, data: st.DataObject) -> dict:
    config = copy.deepcopy(config)
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        where = data.draw(st.sampled_from(list(paths(config))), label="path")
        parent = config
        for step in where[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["drop", "set", "add"]), label="action")
        if not where:
            action = "add"
        if action == "drop" and isinstance(parent, (dict, list)):
            del parent[where[-1]]
        elif action == "set":
            parent[where[-1]] = data.draw(values, label="value")
        else:
            target = config
            for step in where:
                target = target[step]
            if isinstance(target, dict):
                key = data.draw(st.sampled_from(KEYS) | st.text(max_size=12), label="key")
                target[key] = data.draw(values, label="value")
            elif isinstance(target, list):
                target.append(data.draw(values, label="value"))
    return config


def engine_view(config: dict, password: str | None, data: st.DataObject) -> RawConfig:
    """What the Pulumi engine would hand the program: strings, objects as JSON,
    sometimes plain text where an object belongs."""
    values: dict[str, str | None] = {}
    for key, value in config.items():
        full = key if isinstance(key, str) and ":" in key else f"{PROJECT}:{key}"
        if isinstance(value, str):
            values[full] = value
        elif data.draw(st.integers(0, 19), label="garble") == 0:
            values[full] = data.draw(st.sampled_from(HOSTILE_TEXT), label="text")
        else:
            values[full] = json.dumps(value)
    secret_keys = frozenset()
    if password is not None:
        values[f"{PROJECT}:redisPassword"] = password
        secret_keys = frozenset({f"{PROJECT}:redisPassword"})
    return RawConfig(values, secret_keys)


VALID_PASSWORD = "a-valid-password-0123456789"
passwords = st.sampled_from([VALID_PASSWORD, VALID_PASSWORD, None]) | st.text(max_size=40)


