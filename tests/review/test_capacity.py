"""The buffer's capacity, as `render` and `diff` state it (components/review/capacity.py)."""

import json

import pytest

from components.config.redis.buffer import Buffer
from components.review.capacity import MEASURED_BYTES, Capacity, capacities, of_conf
from tests.cli import cli
from tests.configs import render_config, with_redis

MIB = 2**20


def capacity_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("capacity: ")]


def test_read_from_the_rendered_redis_conf():
    conf = "maxmemory 96mb\nlist-compress-depth 1\nlist-max-listpack-size -4\n"
    assert of_conf(conf) == Capacity(maxmemory=96 * MIB, depth=1, size=-4)
    # A redis.conf that says nothing runs redis' defaults: no cap, no compression.
    assert of_conf("port 6379\n") == Capacity(maxmemory=0, depth=0, size=-2)


def test_a_redis_6_conf_is_read_by_the_name_it_has():
    config = with_redis(image="redis:6.2.14-alpine", deniedCommands=[],
                        resources={"limits": {"memory": "128Mi"}})
    (capacity,) = capacities(render_config(config).manifests.objects).values()
    assert (capacity.depth, capacity.size) == (Buffer().list_compress_depth,
                                               Buffer().list_max_listpack_size)


def test_events_are_maxmemory_over_the_measured_bytes():
    capacity = Capacity(maxmemory=96 * MIB, depth=1, size=-4)
    assert capacity.events == 96 * MIB // MEASURED_BYTES[(1, -4)]
    # Deeper than measured: only more end nodes stay whole, so depth 2's figure.
    assert Capacity(96 * MIB, 5, -4).events == Capacity(96 * MIB, 2, -4).events


def test_the_outage_it_outlasts_at_a_rate():
    capacity = Capacity(maxmemory=96 * MIB, depth=1, size=-4)
    minutes = round(capacity.events / 500 / 60)
    assert capacity.line("ConfigMap/redis-config", 500).endswith(
        f"; at 500 events/s it outlasts a reader outage of about {minutes} minutes")
    assert "give --log-rate or redis.buffer.expectedRate" in capacity.line("c", None)


def test_no_cap_and_unmeasured_settings_say_so_instead_of_guessing():
    assert "no maxmemory" in Capacity(0, 1, -4).line("c", 500)
    line = Capacity(96 * MIB, 1, 128).line("c", 500)
    assert "no measured bytes per event for list-compress-depth 1, list-max-listpack-size " \
           "128" in line
    assert "holds about" not in line


def test_render_states_it(tmp_path):
    done = cli("render", "--stack", "dev")
    assert done.returncode == 0, done.stderr
    (line,) = capacity_lines(done.stderr)
    assert line.startswith("capacity: ConfigMap/redis-config holds about ")
    assert "in maxmemory 96mb" in line


def test_render_turns_a_rate_into_minutes():
    given = cli("render", "--stack", "dev", "--log-rate", "500")
    from_stack = cli("render", "--stack", "dev", "--set", "redis.buffer.expectedRate=500")
    (line,) = capacity_lines(given.stderr)
    assert "at 500 events/s it outlasts a reader outage of about " in line
    assert capacity_lines(from_stack.stderr) == [line]
    # --log-rate wins over the stack's own.
    over = cli("render", "--stack", "dev", "--set", "redis.buffer.expectedRate=500",
               "--log-rate", "5000")
    assert "at 5,000 events/s" in capacity_lines(over.stderr)[0]


@pytest.mark.parametrize("rate", ["0", "-5", "fast", "1.5", "10000000000"])
def test_a_bad_log_rate_is_one_line(rate):
    done = cli("render", "--stack", "dev", "--log-rate", rate)
    assert done.returncode == 2
    assert "--log-rate: a whole number of events per second, 1 to 1,000,000,000" in done.stderr


def test_diff_says_how_a_change_moves_it(tmp_path):
    stock = ["--set", "redis.buffer.listCompressDepth=0", "--set",
             "redis.buffer.listMaxListpackSize=-2"]
    assert cli("render", "--stack", "dev", *stock, "--out", str(tmp_path / "dev")).returncode == 0
    done = cli("diff", "--dir", str(tmp_path / "dev"), "--stack", "dev", "--log-rate", "500")
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if "the buffer holds about" in line]
    generated = (Buffer().list_compress_depth, Buffer().list_max_listpack_size)
    was, now = (96 * MIB // MEASURED_BYTES[key] for key in ((0, -2), generated))
    assert f"the buffer holds about {now:,} events, was {was:,} ({now / was:.2f}×;" in line
    assert f"was about {round(was / 500 / 60)} minutes" in line
    report = json.loads(cli("diff", "--dir", str(tmp_path / "dev"), "--stack", "dev",
                            "--format", "json").stdout)
    assert any("the buffer holds about" in impact for change in report["objects"]
               for impact in change["impacts"])


def test_diff_is_silent_about_it_when_it_does_not_move(tmp_path):
    # redis.conf changes (a redis.extraConfig directive), the capacity does not.
    assert cli("render", "--stack", "dev", "--set", "redis.extraConfig.hz=20", "--out",
               str(tmp_path / "dev")).returncode == 0
    done = cli("diff", "--dir", str(tmp_path / "dev"), "--stack", "dev", "--log-rate", "500")
    assert done.returncode == 1
    assert "ConfigMap content changed" in done.stdout
    assert "buffer holds about" not in done.stdout


def test_diff_follows_maxmemory_too():
    done = cli("diff", "--stack", "dev", "--stack", "prod", "--log-rate", "500")
    (line,) = [line for line in done.stdout.splitlines() if "the buffer holds about" in line]
    assert line.startswith("  ConfigMap logging/redis-config: the buffer holds about ")


# --- what a full buffer does, and whether there is one -----------------------
# redis evicts whole keys, and filebeat's list is one key: measured on redis
# 7.0.15, an allkeys-lru buffer at maxmemory went from 10,385 entries to 1 with
# no write refused, and a volatile-lru one refused the writes as noeviction does.

def test_a_channel_holds_nothing_and_outlasts_nothing():
    done = cli("render", "--stack", "dev", "--set", "filebeat.output.datatype=channel",
               "--log-rate", "100")
    assert done.returncode == 0, done.stderr
    (line,) = capacity_lines(done.stderr)
    assert line.startswith("capacity: ConfigMap/redis-config holds nothing: filebeat "
                           "publishes to a channel (filebeat.output.datatype channel)")
    assert "outlasts" not in line and "holds about" not in line


def test_an_allkeys_policy_says_the_full_buffer_is_deleted_whole():
    done = cli("render", "--stack", "dev", "--set", "redis.maxmemoryPolicy=allkeys-lru",
               "--log-rate", "100")
    (line,) = capacity_lines(done.stderr)
    assert "outlasts" not in line
    assert "maxmemory-policy allkeys-lru deletes the whole list" in line
    assert "; at 100 events/s a reader outage longer than about 43 minutes loses events" in line
    # Without a rate, the hint names what the rate would tell.
    assert Capacity(96 * MIB, 1, -5, policy="allkeys-lfu").line("c", None).endswith(
        "give --log-rate or redis.buffer.expectedRate for the reader outage that loses events")


def test_a_volatile_policy_refuses_writes_as_noeviction_does():
    # filebeat's list has no TTL: there is nothing such a policy may evict.
    assert Capacity(96 * MIB, 1, -5, policy="volatile-lru").line("c", 100) == \
        Capacity(96 * MIB, 1, -5).line("c", 100)


def test_the_policy_and_datatype_are_read_from_the_rendered_configs():
    config = with_redis(maxmemoryPolicy="allkeys-random")
    config["filebeat"] = {**config.get("filebeat", {}), "output": {"datatype": "channel"}}
    (capacity,) = capacities(render_config(config).manifests.objects).values()
    assert (capacity.policy, capacity.datatype) == ("allkeys-random", "channel")


def test_diff_says_when_the_buffer_stops_holding(tmp_path):
    assert cli("render", "--stack", "dev", "--set", "filebeat.output.datatype=channel",
               "--out", str(tmp_path / "channel")).returncode == 0
    done = cli("diff", "--stack", "dev", "--dir", str(tmp_path / "channel"),
               "--log-rate", "100")
    (line,) = [line for line in done.stdout.splitlines() if "holds nothing" in line]
    assert line.startswith("  ConfigMap logging/filebeat-config: the buffer holds nothing "
                           "from now: filebeat publishes to a channel")
    assert "outlasts" not in done.stdout
    back = cli("diff", "--dir", str(tmp_path / "channel"), "--stack", "dev", "--log-rate",
               "100", "--format", "markdown")
    assert "the buffer holds events again: it holds about " in back.stdout
    assert "it outlasts a reader outage of about 43 minutes" in back.stdout


def test_diff_says_when_a_full_buffer_is_deleted_instead_of_refusing(tmp_path):
    assert cli("render", "--stack", "dev", "--set", "redis.maxmemoryPolicy=allkeys-lru",
               "--out", str(tmp_path / "lru")).returncode == 0
    for fmt in ("text", "markdown"):
        done = cli("diff", "--stack", "dev", "--dir", str(tmp_path / "lru"), "--log-rate",
                   "100", "--format", fmt)
        assert "the buffer stops refusing writes when full: it holds about 260,111 events" \
            in done.stdout
        assert "maxmemory-policy allkeys-lru deletes the whole list" in done.stdout
        assert "a reader outage longer than about 43 minutes loses events" in done.stdout
        assert "outlasts" not in done.stdout
    # A change of size under such a policy says so too.
    assert cli("render", "--stack", "dev", "--set", "redis.maxmemoryPolicy=allkeys-lru",
               "--set", "redis.maxmemory=48Mi", "--out", str(tmp_path / "small")).returncode == 0
    done = cli("diff", "--dir", str(tmp_path / "lru"), "--dir", str(tmp_path / "small"),
               "--log-rate", "100")
    (line,) = [line for line in done.stdout.splitlines() if "the buffer holds about" in line]
    assert "; at 100 events/s a reader outage longer than about 22 minutes loses events, " \
           "was about 43 minutes" in line
    back = cli("diff", "--dir", str(tmp_path / "lru"), "--stack", "dev", "--log-rate", "100")
    assert "the buffer refuses writes when full again, instead of being deleted whole: it " \
           "holds about 260,111 events" in back.stdout
    assert "it outlasts a reader outage of about 43 minutes" in back.stdout
