"""redis.deniedCommands: defaults first, then one setting per test, then the refusals.

The denials are an ACL rule of the default user: in the auth Secret beside the
password, or in redis.conf with auth off, and requirepass alone with none. The
exporter is told which of its commands are denied. Refused are names redis does
not know, a name given twice, and what filebeat, the probes or the exporter send.
What redis itself makes of the rendered lines is in tests/real/test_redis_server_hardening.py;
redis.extraConfig is in test_redis_extra_config.py.
"""

import pytest

from components.config.redis.acl import DEFAULT_DENIED
from tests.configs import (
    PASSWORD,
    minimal,
    refused,
    render_config,
    stack_config,
    with_filebeat,
    with_redis,
)
from tests.real.runtime.rendered import render
from tests.workloads.redis.redis_conf import directives, redis_conf

DENIALS = ("-flushall -flushdb -swapdb -migrate -config -acl -module -debug -replicaof -slaveof "
           "-shutdown -keys -monitor")
USER_RULES = f"on ~* &* +@all {DENIALS}"


def auth_files(config: dict, password: str = PASSWORD) -> dict[str, str]:
    """The auth Secret's files in plain text, as only the pod sees them."""
    return render(config, {"redisPassword": password}).secrets["redis-auth"]


def exporter_args(config: dict) -> list[str]:
    pod = render_config(config).manifests["Deployment"]["redis"]["spec"]["template"]["spec"]
    return next(c for c in pod["containers"] if c["name"] == "redis-exporter")["args"]


MONITORED = {"monitoring": {"enabled": True, "image": "oliver006/redis_exporter:v1.88.0",
                            "scraperNamespace": "monitoring"},
             "maxmemory": "64Mi", "resources": {"limits": {"memory": "128Mi"}}}


def test_the_default_denials():
    assert stack_config(minimal()).redis.denied_commands == list(DEFAULT_DENIED)
    assert list(DEFAULT_DENIED) == [
        "FLUSHALL", "FLUSHDB", "SWAPDB", "MIGRATE", "CONFIG", "ACL", "MODULE", "DEBUG",
        "REPLICAOF", "SLAVEOF", "SHUTDOWN", "KEYS", "MONITOR"]


def test_with_auth_the_acl_line_holds_the_password_in_the_secret_only():
    files = auth_files(minimal())
    assert files["auth.conf"] == f'user default ">{PASSWORD}" {USER_RULES}\n'
    lines = redis_conf(minimal())
    # redis.conf shows the rules, never the password, and has no user line of its own.
    assert f"#   user default <password> {USER_RULES}" in lines
    assert not [line for line in directives(minimal()) if line.startswith(("user", "requirepass"))]
    assert not any(PASSWORD in line for line in lines)
    assert lines[-1] == "include /etc/redis-auth/auth.conf"


def test_the_password_is_quoted_in_the_acl_line():
    password = 'p@ss w"rd \\x41 and more'
    files = auth_files(minimal(), password)
    assert files["auth.conf"].startswith('user default ">p@ss w\\"rd \\\\x41 and more" on ')


def test_without_auth_the_acl_line_is_in_redis_conf_with_nopass():
    config = with_redis(auth=False)
    assert f"user default nopass {USER_RULES}" in directives(config)
    assert not [line for line in directives(config) if line.startswith("include")]


def test_no_denials_leave_requirepass_and_no_acl():
    config = with_redis(deniedCommands=[])
    assert auth_files(config)["auth.conf"] == f'requirepass "{PASSWORD}"\n'
    assert not [line for line in redis_conf(config) if "user default" in line]
    assert not [line for line in redis_conf(with_redis(auth=False, deniedCommands=[]))
                if "user default" in line]


def test_commands_and_subcommands_any_case_render_lowercase():
    config = with_redis(auth=False, deniedCommands=["flushall", "Config|Set"])
    assert "user default nopass on ~* &* +@all -flushall -config|set" in directives(config)


def test_a_change_of_denials_rolls_the_pod():
    def checksum(config):
        template = render_config(config).manifests["Deployment"]["redis"]["spec"]["template"]
        return template["metadata"]["annotations"]["checksum/config"]

    assert checksum(minimal()) != checksum(with_redis(deniedCommands=["FLUSHALL"]))


def test_the_exporter_skips_config_get_only_when_config_is_denied():
    assert "--config-command=-" in exporter_args(with_redis(**MONITORED))
    assert "--config-command=-" in exporter_args(with_redis(deniedCommands=["CONFIG|GET"],
                                                            **MONITORED))
    assert "--config-command=-" not in exporter_args(with_redis(deniedCommands=["CONFIG|SET"],
                                                                **MONITORED))
    assert "--config-command=-" not in exporter_args(with_redis(deniedCommands=[], **MONITORED))


def test_the_exporter_names_its_connection_only_when_client_is_allowed():
    assert "--set-client-name=false" not in exporter_args(with_redis(**MONITORED))
    for denied in ("CLIENT", "CLIENT|SETNAME"):
        assert "--set-client-name=false" in exporter_args(with_redis(deniedCommands=[denied],
                                                                     **MONITORED))


@pytest.mark.parametrize(("denied", "message"), [
    ("@admin", "'@admin' is not a redis command: a name such as FLUSHALL, or a subcommand "
               "such as CONFIG|SET (ACL categories like @admin are not taken here)"),
    ("FLUSH ALL", "'FLUSH ALL' is not a redis command"),
    ("flushal", "'flushal' is not a redis 7.4.1 command; redis would refuse to start on an "
                "ACL rule that names it"),
    ("config|sett", "'config|sett' is not a redis 7.4.1 subcommand"),
    ("SENTINEL", "'SENTINEL' is not a redis 7.4.1 command"),  # a sentinel's, not a server's
])
def test_names_redis_does_not_know_are_refused(denied, message):
    (line,) = refused(with_redis(deniedCommands=[denied]))
    assert line.startswith("<render_config>: redis.deniedCommands[0]: " + message)


@pytest.mark.parametrize(("denied", "message"), [
    (["KEYS", "keys"], "names KEYS twice"),
    (["CONFIG", "CONFIG|SET"], "names CONFIG|SET beside CONFIG, whose rule already covers it"),
])
def test_a_command_named_twice_is_refused(denied, message):
    assert refused(with_redis(deniedCommands=denied)) == [
        f"<render_config>: redis.deniedCommands: {message}"]


@pytest.mark.parametrize(("denied", "why"), [
    ("AUTH", "filebeat, the reader and the probes log in with it"),
    ("PING", "filebeat sends it on connect, and the probes run it"),
    ("SELECT", "filebeat sends it on connect for a database other than 0"),
    ("INFO", "filebeat reads redis' version with it before its first RPUSH"),
    ("RPUSH", "filebeat pushes its events with it (output.datatype list)"),
])
def test_what_filebeat_and_the_probes_send_cannot_be_denied(denied, why):
    assert refused(with_redis(deniedCommands=[denied])) == [
        f"<render_config>: redis.deniedCommands: deniedCommands must not deny {denied}: {why}"]


def test_a_channel_output_needs_publish_and_not_info():
    config = with_filebeat(output={"datatype": "channel"})
    config["redis"]["deniedCommands"] = ["PUBLISH"]
    assert refused(config) == [
        "<render_config>: redis.deniedCommands: deniedCommands must not deny PUBLISH: filebeat "
        "publishes its events with it (output.datatype channel)"]
    config["redis"]["deniedCommands"] = ["INFO", "RPUSH"]
    render_config(config)


@pytest.mark.parametrize(("denied", "why"), [
    ("INFO", "the exporter fails a scrape without it, and every alert reads it"),
    ("TYPE", "the exporter asks the watched list's type before its length"),
    ("LLEN", "the exporter reads the list's length, which the buffer alerts watch"),
])
def test_what_the_exporter_needs_cannot_be_denied_while_it_runs(denied, why):
    assert refused(with_redis(deniedCommands=[denied], **MONITORED)) == [
        f"<render_config>: redis.deniedCommands: deniedCommands must not deny {denied}: {why}"]


def test_a_redis_without_acls_needs_no_denials():
    assert refused(with_redis(image="redis:4.0-alpine")) == [
        "<render_config>: redis.deniedCommands: deniedCommands needs redis 7 or later for its ACL "
        "rules, and the image is redis 4; set deniedCommands: [] for it"]
    assert refused(with_redis(image="docker.io/library/redis:6.2.14"))
    render_config(with_redis(image="redis:4.0-alpine", deniedCommands=[]))
    render_config(with_redis(image="registry.example/redis:7.2"))
