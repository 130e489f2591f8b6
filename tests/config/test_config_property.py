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

import os
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.stack.parse import parse_config
from components.project import PROJECT, RawConfig
from components.render.renderer import render
from tests.configs import REPORT
from tests.hostile_configs import BASES, engine_view, mutate, passwords
from tests.kube_schema import validate

CASES = int(os.environ.get("PROPERTY_CASES", "500"))
"""500 in every run; PROPERTY_CASES=20000 for a deeper search."""
ORIGIN = "stacks/Pulumi.prop.yaml"


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
    # About 9% render, but hypothesis' draws are not independent: one run in
    # many rendered 22 of 500, so the floor sits well below that tail.
    assert OUTCOMES["rendered"] >= CASES // 50 and OUTCOMES["refused"] >= CASES // 4


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
