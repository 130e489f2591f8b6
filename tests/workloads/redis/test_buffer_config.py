"""redis.buffer: the list settings redis.conf gets, and the keys that are refused for them."""

import pytest

from components.config.redis.buffer import Buffer
from tests.configs import refused, render_config, with_redis


def redis_conf(**buffer) -> list[str]:
    config = with_redis(buffer=buffer) if buffer else with_redis()
    conf = render_config(config).manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"]
    return [line for line in conf.splitlines() if line.startswith("list-")]


def test_the_list_is_compressed_by_default():
    assert redis_conf() == [f"list-compress-depth {Buffer().list_compress_depth}",
                            f"list-max-listpack-size {Buffer().list_max_listpack_size}"]


def test_redis_defaults_leave_the_file_unsaid():
    assert redis_conf(listCompressDepth=0, listMaxListpackSize=-2) == []


def test_a_redis_6_gets_the_name_it_reads():
    config = with_redis(image="redis:6.2.14-alpine", deniedCommands=[])
    conf = render_config(config).manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"]
    assert f"list-max-ziplist-size {Buffer().list_max_listpack_size}" in conf.splitlines()
    assert "list-max-listpack-size" not in conf


def test_an_entry_count_is_a_listpack_size():
    assert redis_conf(listCompressDepth=2, listMaxListpackSize=128) == [
        "list-compress-depth 2", "list-max-listpack-size 128"]


@pytest.mark.parametrize(("fields", "line"), [
    ({"extraConfig": {"list-compress-depth": 2}},
     "redis.extraConfig: list-compress-depth is written by this stack from "
     "redis.buffer.listCompressDepth; set that instead"),
    ({"extraConfig": {"list-max-listpack-size": -3}},
     "redis.extraConfig: list-max-listpack-size is written by this stack from "
     "redis.buffer.listMaxListpackSize; set that instead"),
    # redis 7 still reads the old name as the new one.
    ({"extraConfig": {"list-max-ziplist-size": -3}},
     "redis.extraConfig: list-max-ziplist-size is written by this stack from "
     "redis.buffer.listMaxListpackSize; set that instead"),
    ({"buffer": {"listMaxListpackSize": -6}},
     "redis.buffer.listMaxListpackSize: (-6) must be -1 to -5 (4 to 64 KiB a node) or an "
     "entry count from 1 to 32768"),
    ({"buffer": {"listMaxListpackSize": 0}},
     "redis.buffer.listMaxListpackSize: (0) must be -1 to -5 (4 to 64 KiB a node) or an "
     "entry count from 1 to 32768"),
    ({"buffer": {"listCompressDepth": -1}},
     "redis.buffer.listCompressDepth: should be greater than or equal to 0 (got -1)"),
    ({"buffer": {"expectedRate": 0}},
     "redis.buffer.expectedRate: should be greater than or equal to 1 (got 0)"),
])
def test_refused(fields, line):
    assert refused(with_redis(**fields)) == [f"<render_config>: {line}"]


def test_the_expected_rate_deploys_nothing():
    plain = render_config(with_redis()).manifests.to_yaml()
    assert render_config(with_redis(buffer={"expectedRate": 500})).manifests.to_yaml() == plain
