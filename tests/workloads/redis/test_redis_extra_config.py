"""redis.extraConfig: defaults first, then where and how its directives are
written, then the refusals: what this stack writes itself, what would break
the pod, names redis does not know, paths where redis takes a file name, and
values that are not one line of arguments. Editors are offered exactly the
directives that pass.

What redis itself makes of the rendered lines is in tests/real/test_redis_server_hardening.py;
redis.deniedCommands is in test_redis_denied_commands.py.
"""

import pytest

from tests.configs import minimal, refused, stack_config, with_redis
from tests.workloads.redis.redis_conf import directives, redis_conf


def test_no_extra_config_by_default():
    assert stack_config(minimal()).redis.extra_config == {}
    assert "# From redis.extraConfig." not in redis_conf(minimal())


def test_extra_directives_come_after_ours_and_before_the_include():
    lines = directives(with_redis(extraConfig={"hz": 20, "latency-monitor-threshold": 100}))
    assert lines[-3:] == ["hz 20", "latency-monitor-threshold 100",
                          "include /etc/redis-auth/auth.conf"]
    assert lines.index("save \"\"") < lines.index("hz 20")


def test_extra_values_are_quoted_for_redis_parser():
    lines = directives(with_redis(auth=False, extraConfig={
        "lazyfree-lazy-user-del": True, "activedefrag": False,
        "client-output-buffer-limit": ["pubsub", "32mb", "8mb", 60],
        "notify-keyspace-events": "", "dbfilename": 'a b"c\\d.rdb', "appendfilename": "ünï"}))
    assert lines[-6:] == [
        "lazyfree-lazy-user-del yes", "activedefrag no",
        "client-output-buffer-limit pubsub 32mb 8mb 60", 'notify-keyspace-events ""',
        'dbfilename "a b\\"c\\\\d.rdb"', 'appendfilename "ünï"']


@pytest.mark.parametrize(("name", "message"), [
    ("port", "port is written by this stack from redis.containerPort; set that instead"),
    ("maxmemory", "maxmemory is written by this stack from redis.maxmemory; set that instead"),
    ("maxmemory-policy", "maxmemory-policy is written by this stack from redis.maxmemoryPolicy"),
    ("appendonly", "appendonly is written by this stack from redis.persistence.enabled"),
    ("appendfsync", "appendfsync is written by this stack from redis.persistence.enabled"),
    ("save", "save is written by this stack from redis.persistence.snapshots"),
    ("requirepass", "requirepass is written by this stack from redisPassword"),
    ("user", "user is written by this stack from redis.deniedCommands"),
    ("aclfile", "aclfile is written by this stack from redis.deniedCommands"),
    ("rename-command", "rename-command is written by this stack from redis.deniedCommands"),
    ("dir", "dir is refused: it is where the data volume is mounted"),
    ("include", "include is refused: the stack includes its auth file last"),
    ("protected-mode", "protected-mode is refused: the Service, the NetworkPolicy"),
    ("bind", "bind is refused: the pod's address is not known before it starts"),
    ("unixsocket", "unixsocket is refused: no container of the pod would use it"),
    ("unixsocketperm", "unixsocketperm is refused: no unix socket is opened"),
    ("daemonize", "daemonize is refused: a daemonized redis leaves the container"),
    ("supervised", "supervised is refused: the kubelet supervises redis"),
    ("pidfile", "pidfile is refused: the root filesystem is read-only"),
    ("logfile", "logfile is refused: redis logs to stdout"),
    ("replicaof", "replicaof is refused: it would make the buffer a read-only copy"),
    ("slaveof", "slaveof is refused: it would make the buffer a read-only copy"),
    ("masterauth", "masterauth is refused: it holds a password"),
    ("masteruser", "masteruser is refused: there is no primary"),
    ("min-replicas-to-write", "min-replicas-to-write is refused: the buffer has no replicas"),
    ("min-slaves-to-write", "min-slaves-to-write is refused: the buffer has no replicas"),
    ("cluster-enabled", "cluster-enabled is refused: filebeat's redis output does not follow"),
    ("databases", "databases is refused: filebeat.output.db is checked against redis' 16"),
    ("loadmodule", "loadmodule is refused: it loads native code"),
    ("enable-module-command", "enable-module-command is refused: it would let a client load"),
    ("enable-debug-command", "enable-debug-command is refused: it would let a client crash"),
    ("enable-protected-configs", "enable-protected-configs is refused: it would let a client"),
    ("sentinel", "sentinel is refused: this is a redis server, not a sentinel"),
    ("tls-port", "tls-port is refused: the stack does not mount certificates"),
    ("hzz", "hzz is not a redis 7.4.1 directive, and redis refuses to start on one it does "
            "not know; did you mean 'hz'?"),
    ("Hz", "'Hz' is not a redis.conf directive: lowercase letters, digits, '-' and '_', "
           "starting with a letter"),
])
def test_refused_directives_name_what_to_set_instead(name, message):
    (line,) = refused(with_redis(extraConfig={name: "x"}))
    assert line.startswith("<render_config>: redis.extraConfig: " + message), line


@pytest.mark.parametrize(("name", "value", "what"), [
    ("dbfilename", "backups/buffer.rdb", "a file name"),
    ("appendfilename", "/data/buffer.aof", "a file name"),
    ("appenddirname", "aof/buffer", "a directory name"),
])
def test_a_file_redis_keeps_in_its_dir_is_named_not_pathed(name, value, what):
    """redis 7 refuses to start on a path here ("can't be a path, just a
    filename"); tests/real/test_redis_server_hardening.py starts it on a name."""
    assert refused(with_redis(extraConfig={name: value})) == [
        f"<render_config>: redis.extraConfig.{name}: must be {what}, not a path: redis keeps "
        "it in its dir (the data volume) and refuses to start on a path"]


@pytest.mark.parametrize("value", ["a\nb", "tab\there", "x" * 1025])
def test_a_value_stays_one_line(value):
    assert refused(with_redis(extraConfig={"hz": value})) == [
        "<render_config>: redis.extraConfig.hz: must be at most 1024 characters, "
        "without control characters, tabs or line breaks"]


@pytest.mark.parametrize("value", [[], 1.5, None, [True], {"a": 1}])
def test_a_value_is_an_argument_or_a_list_of_them(value):
    (line,) = refused(with_redis(extraConfig={"hz": value}))
    assert line.endswith("must be a string, a whole number, true or false, or a non-empty "
                         "list of strings and numbers"), line


def test_editors_are_offered_exactly_the_directives_that_pass():
    from pydantic import TypeAdapter, ValidationError

    from components.config.redis.directives import ALLOWED, DirectiveName
    from components.config.redis.names import DIRECTIVES

    name = TypeAdapter(DirectiveName)
    for directive in DIRECTIVES:
        try:
            name.validate_python(directive)
        except ValidationError:
            assert directive not in ALLOWED
        else:
            assert directive in ALLOWED
    assert {"hz", "latency-monitor-threshold"} <= set(ALLOWED)
    assert not {"port", "slaveof", "tls-port", "include"} & set(ALLOWED)
