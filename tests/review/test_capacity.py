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
