"""Random and hostile config through the loader the engine uses: a clean error or valid manifests.

Each case starts from a real stack file (or the minimal config) and breaks
it a few ways: keys dropped, values swapped for wrong types, huge numbers,
unicode, NaN, nested junk, unknown keys, non-JSON text where an object
belongs, and odd passwords. Every case must end one of two ways:
- `ConfigError`, every line of it `<stack file>: <key>: <message>`, never
  quoting the password; or
- manifests that pass Kubernetes' strict OpenAPI schema.
Anything else (a traceback from anywhere) fails the test. The counts are
printed at the end of the run.
"""

import copy
import json
import os
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.parse import parse_config
from components.config.stack import config_aliases
from components.config.stack_file import read_stack_file
from components.project import PROJECT, RawConfig
from components.render.renderer import render
from tests.configs import REPORT, ROOT, STACKS, minimal
from tests.kube_schema import validate

CASES = int(os.environ.get("PROPERTY_CASES", "500"))
"""500 in every run; PROPERTY_CASES=20000 for a deeper search."""
ORIGIN = "stacks/Pulumi.prop.yaml"
KEYS = sorted(config_aliases())
HOSTILE_TEXT = [
    "", " ", "\x00", "\n", "-1", "0", "1e309", "NaN", "100%", "101%", "-5%", "true", "null",
    "../../etc/passwd", "/var/log/../..", "a" * 300, "ü" * 70, "💥", "${REDIS_HOST}",
    "$(REDIS_PASSWORD)", "{", "[1,2", "OnDelete", "RollingUpdate", "Exists", "1Gi", "1e30",
    "0.5", "sha256:" + "0" * 64, "redis:7", "-", "A_B", "kube-system", "default",
]


def base_configs() -> list[dict]:
    """Every committed stack, as the engine would pass it, and the minimal one."""
    configs = [minimal()]
    for stack in STACKS:
        values = read_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").values
        configs.append({k.partition(":")[2]: json.loads(v) if v[:1] in "{[" else v
                        for k, v in values.items() if k.startswith(f"{PROJECT}:")})
    return configs


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


def outcome(raw: RawConfig, password: str | None) -> str:
    try:
        parse_config(raw, ORIGIN)
    except ConfigError as error:
        lines = str(error).splitlines()
        assert lines, "an error with no problems in it"
        for line in lines:
            assert line.startswith(f"{ORIGIN}: "), line
            assert line.count(": ") >= 2, line
        elsewhere = "".join(f"{k}{v}" for k, v in raw.values.items() if k not in raw.secret_keys)
        # Shorter ones can be words of the message itself ("should").
        if password and len(password) >= 16 and password not in elsewhere:
            assert password not in str(error)
        return "refused"
    manifests = render(raw, "prop", origin=ORIGIN).manifests
    for manifest in manifests.objects:
        validate(manifest.body)
    return "rendered"


OUTCOMES: Counter = Counter()
VALID_PASSWORD = "a-valid-password-0123456789"
passwords = st.sampled_from([VALID_PASSWORD, VALID_PASSWORD, None]) | st.text(max_size=40)


@settings(max_examples=CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=st.sampled_from(BASES), password=passwords, data=st.data())
def check_hostile_config(base, password, data):
    config = mutate(base, data)
    OUTCOMES[outcome(engine_view(config, password, data), password)] += 1


def test_hostile_config_ends_in_a_clean_error_or_valid_manifests():
    OUTCOMES.clear()
    check_hostile_config()
    total = sum(OUTCOMES.values())
    REPORT.append(f"config property test: {total} cases, {OUTCOMES['rendered']} rendered to "
                  f"schema-valid manifests, {OUTCOMES['refused']} refused with a clean error, "
                  "0 crashes")
    assert total >= CASES
    # Both ends are reached, or the generator is not exercising the loader.
    assert OUTCOMES["rendered"] >= CASES // 20 and OUTCOMES["refused"] >= CASES // 4


def test_the_check_fails_on_a_crash_and_on_a_bare_error(monkeypatch):
    module = sys.modules[__name__]

    raw = RawConfig({f"{PROJECT}:redis": "{}"})
    assert outcome(raw, None) == "refused"

    def crash(raw, origin):
        raise TypeError("boom")

    monkeypatch.setattr(module, "parse_config", crash)
    with pytest.raises(TypeError):
        outcome(raw, None)

    def bare(raw, origin):
        raise ConfigError("", [])

    monkeypatch.setattr(module, "parse_config", bare)
    with pytest.raises(AssertionError, match="no problems"):
        outcome(raw, None)
