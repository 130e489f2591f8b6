"""redis.existingSecret's refusals: a bad key, version or name, naming it
together with redisPassword or with auth off, the missing-password message
that points at it, and the Redis and Filebeat components refusing both
sources of the password. Apart from test_existing_secret.py (what a valid
one renders) because every test here is about input that must not render.
"""

import pytest

from tests.configs import PASSWORD, minimal, refused, stack_config, with_filebeat, with_redis
from tests.workloads.existing_secret import existing, validated


@pytest.mark.parametrize(("secret", "message"), [
    ({"key": "no/slashes"}, "redis.existingSecret.key: 'no/slashes' is not a ConfigMap or "
     "Secret key: use letters, digits, '-', '_' and '.', at most 253 characters, and not '.' "
     "or '..'"),
    ({"key": ".."}, "redis.existingSecret.key: '..' is not a ConfigMap or Secret key: use "
     "letters, digits, '-', '_' and '.', at most 253 characters, and not '.' or '..'"),
    ({"version": "two words"}, "redis.existingSecret.version: 'two words' is not a version: "
     "use 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or "
     "digit (a date, a counter, a commit)"),
    ({"version": ""}, "redis.existingSecret.version: '' is not a version: use 1 to 63 "
     "letters, digits, '-', '_' and '.', starting and ending with a letter or digit (a date, "
     "a counter, a commit)"),
])
def test_refused_fields(secret, message):
    assert refused(existing(secret)) == [f"<render_config>: {message}"]


@pytest.mark.parametrize("key", ["no/slashes", "..", ".", "", "two words", "a" * 254])
def test_a_data_key_is_refused_as_a_config_file_name_is(key):
    """Kubernetes holds a Secret's data keys to the ConfigMap key rule: one
    rule here too, so both keys refuse the same values in the same words."""
    [secret] = refused(existing({"key": key}))
    [config_file] = refused(with_filebeat(configFiles={key: "x"}))
    message = secret.partition(" redis.existingSecret.key: ")[2]
    assert message.endswith(" is not a ConfigMap or Secret key: use letters, digits, '-', "
                            "'_' and '.', at most 253 characters, and not '.' or '..'")
    assert config_file.partition(" filebeat.configFiles: ")[2] == message


@pytest.mark.parametrize("key", ["password", "redis.conf", "KEY_NAME", "a" * 253])
def test_a_data_key_is_accepted_as_a_config_file_name_is(key):
    assert validated(existing({"key": key})).redis.existing_secret.key == key
    assert key in stack_config(with_filebeat(configFiles={key: "x"})).filebeat.config_files


def test_a_name_is_required_and_must_be_a_kubernetes_name():
    [line] = refused(with_redis(existingSecret={"key": "password"}))
    assert line == "<render_config>: redis.existingSecret.name: is required"
    [line] = refused(existing({"name": "Not_A_Name"}))
    assert line.startswith("<render_config>: redis.existingSecret.name: ")


def test_refused_together_with_redis_password():
    assert refused(existing(), secrets={"redisPassword": PASSWORD}) == [
        "<render_config>: redis.existingSecret: redis.existingSecret is set, and so is "
        "redisPassword; pick one: the stack's own secret, or a Secret someone else made"]


def test_refused_without_auth():
    config = existing()
    config["redis"]["auth"] = False
    assert refused(config) == [
        "<render_config>: redis.existingSecret: redis.existingSecret is set, but redis.auth is "
        "false, so redis would not ask for a password; remove redis.existingSecret or turn "
        "auth on"]


def test_the_missing_password_names_existing_secret_as_the_alternative():
    from components.config.errors import ConfigError
    from components.render.renderer import raw_config, render

    with pytest.raises(ConfigError) as caught:
        render(raw_config(minimal()), "test")
    assert str(caught.value).endswith(
        "or name a Secret that holds it with redis.existingSecret")


def test_the_components_refuse_both_sources_of_the_password():
    import pulumi

    from components import Filebeat, Redis
    from components.render.mockrun import run_with_mocks
    from components.render.renderer import raw_config

    config = validated(existing())

    def redis_with_a_password_too():
        Redis(config.redis, "default", "cluster.local", password=pulumi.Output.secret(PASSWORD))

    def filebeat_with_both():
        Filebeat(config.filebeat, "default", "redis", 6379, redis_password=PASSWORD,
                 existing_secret=config.redis.existing_secret)

    for program, message in ((redis_with_a_password_too, "give a password or an existingSecret"),
                             (filebeat_with_both, "a redis_password or an existing_secret")):
        with pytest.raises(ValueError, match=message):
            run_with_mocks(program, "test", raw_config(existing()))
