"""The password a stack leaves to `pulumi config set --secret` is waived by one
rule, which the renderer, the test kit and the neighbour check share."""

import re

import pytest

from components.config.errors import ConfigError
from components.config.parse import parse_leaving_password_to_pulumi
from components.project import UNDECRYPTED
from components.render.renderer import raw_config
from tests.configs import PASSWORD, ROOT, minimal


def test_a_password_left_to_pulumi_is_validated_as_a_placeholder():
    parsed = parse_leaving_password_to_pulumi(raw_config(minimal()), "here")
    assert parsed.password_left_to_pulumi
    assert parsed.config.redis_password.get_secret_value() == UNDECRYPTED
    assert parsed.raw.values["redis-filebeat:redisPassword"] == UNDECRYPTED
    assert "redis-filebeat:redisPassword" in parsed.raw.secret_keys


def test_a_password_that_is_set_is_validated_as_it_is():
    given = raw_config(minimal(), {"redisPassword": PASSWORD})
    parsed = parse_leaving_password_to_pulumi(given, "here")
    assert not parsed.password_left_to_pulumi and parsed.raw is given
    with pytest.raises(ConfigError, match="redisPassword: must have at least 16"):
        parse_leaving_password_to_pulumi(raw_config(minimal(), {"redisPassword": "short"}), "x")


def test_every_other_problem_is_still_refused():
    config = minimal() | {"namespce": "x"}
    with pytest.raises(ConfigError) as caught:
        parse_leaving_password_to_pulumi(raw_config(config), "here")
    assert str(caught.value).splitlines() == [
        "here: namespce: unknown key; did you mean 'namespace'?"]


def test_the_password_is_waived_in_one_place():
    # The renderer, the test kit and the neighbour check all read a stack
    # whose password is set later; one helper says how (config/parse.py).
    waivers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "components").rglob("*.py")
                     if re.search(r"\bPASSWORD_REQUIRED\b", p.read_text()))
    assert waivers == ["components/config/parse.py", "components/config/stack.py"]
