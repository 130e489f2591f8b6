"""The PrometheusRule's expressions, as Prometheus reads them: `promtool check rules`
parses and type-checks each expression and template, and `promtool test rules` plays
synthetic series through them to show each alert fires when it should, and not before.

promtool is built with `toolchain/build promtool`; without it on PATH these skip,
unless PROMTOOL_REQUIRED=1 (as .ci/run sets after building it), which fails instead.
"""

import copy
import subprocess
from pathlib import Path

import yaml

from components.render.renderer import find_stack_file, render_stack_file
from tests.real.tools import required_tool

PROMTOOL, pytestmark = required_tool("promtool", "PROMTOOL_REQUIRED", build="promtool")

TARGET = {"namespace": "logging", "job": "redis-metrics", "pod": "redis-abc"}


def prod_groups() -> list[dict]:
    rule = render_stack_file(find_stack_file("prod")).manifests["PrometheusRule"]["redis"]
    return rule["spec"]["groups"]


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert PROMTOOL
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def series(name: str, values: str, **labels: str) -> dict:
    every = {**TARGET, **labels}
    return {"series": name + "{" + ",".join(f'{k}="{v}"' for k, v in every.items()) + "}",
            "values": values}


def watched() -> dict[str, str]:
    return {"db": "db0", "key": "filebeat"}


def fires(alert: str, at: str, **labels: str) -> dict:
    return {"eval_time": at, "alertname": alert,
            "exp_alerts": [{"exp_labels": labels}]}


def quiet(alert: str, at: str) -> dict:
    return {"eval_time": at, "alertname": alert, "exp_alerts": []}


SCRAPED = [series("up", "1x40"), series("redis_up", "1x40")]
CASES = [
    # 95% of maxmemory: pending at 4m, firing once it held five minutes.
    (SCRAPED + [series("redis_memory_used_bytes", "950x40"),
                series("redis_memory_max_bytes", "1000x40")],
     [quiet("RedisBufferMemoryHigh", "4m"),
      fires("RedisBufferMemoryHigh", "10m", severity="warning", **TARGET)]),
    # 80% never fires.
    (SCRAPED + [series("redis_memory_used_bytes", "800x40"),
                series("redis_memory_max_bytes", "1000x40")],
     [quiet("RedisBufferMemoryHigh", "30m")]),
    # Memory growing 10 a minute towards 1000: full within the hour from minute 40
    # on, firing once that held five minutes; a full but steady buffer, and a
    # slow one, never fire (RedisBufferMemoryHigh is the steady one's alert).
    (SCRAPED + [series("redis_memory_used_bytes", "0+10x90"),
                series("redis_memory_max_bytes", "1000x90")],
     [quiet("RedisBufferFullSoon", "38m"),
      fires("RedisBufferFullSoon", "50m", severity="warning", **TARGET)]),
    (SCRAPED + [series("redis_memory_used_bytes", "950x90"),
                series("redis_memory_max_bytes", "1000x90")],
     [quiet("RedisBufferFullSoon", "80m")]),
    (SCRAPED + [series("redis_memory_used_bytes", "100+1x90"),
                series("redis_memory_max_bytes", "1000x90")],
     [quiet("RedisBufferFullSoon", "80m")]),
    # No maxmemory (0): nothing to be full against.
    (SCRAPED + [series("redis_memory_used_bytes", "0+10x90"),
                series("redis_memory_max_bytes", "0x90")],
     [quiet("RedisBufferFullSoon", "80m")]),
    # A list that grows by ten a minute, and one that comes and goes.
    (SCRAPED + [series("redis_key_size", "0+10x40", **watched())],
     [quiet("RedisBufferGrowing", "12m"),
      fires("RedisBufferGrowing", "25m", severity="warning", **TARGET, **watched())]),
    (SCRAPED + [series("redis_key_size", "5 50 5 50 5 50 5 50 5 50 5 50 5 50 5 50 5 50 5 50 "
                       "5 50 5 50 5 50 5 50 5 50", **watched())],
     [quiet("RedisBufferGrowing", "30m")]),
    # Entries, and no read for ten minutes; then the same with a reader popping.
    (SCRAPED + [series("redis_key_size", "100x40", **watched()),
                series("redis_commands_total", "7x40", cmd="lpop"),
                series("redis_commands_total", "0+20x40", cmd="rpush")],
     [quiet("RedisBufferNoConsumer", "8m"),
      fires("RedisBufferNoConsumer", "15m", severity="critical", **TARGET, **watched())]),
    (SCRAPED + [series("redis_key_size", "100x40", **watched()),
                series("redis_commands_total", "0+3x40", cmd="ltrim")],
     [quiet("RedisBufferNoConsumer", "30m")]),
    # OOM answers: at once.
    (SCRAPED + [series("redis_errors_total", "0 0 0 0 5 10 15 20", err="OOM")],
     [quiet("RedisBufferRejectingWrites", "3m"),
      fires("RedisBufferRejectingWrites", "5m", severity="critical", err="OOM", **TARGET)]),
    # No target at all: absent(up) carries only the selector's labels.
    ([series("redis_memory_max_bytes", "1000x20", job="something-else")],
     [fires("RedisBufferUnwatched", "10m", severity="warning", namespace="logging",
            job="redis-metrics")]),
    ([series("up", "1x20"), series("redis_up", "0x20")],
     [fires("RedisBufferUnwatched", "10m", severity="warning", **TARGET)]),
]


def test_prods_rules_pass_promtool_check(tmp_path):
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": prod_groups()}))
    result = promtool("check", "rules", "rules.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout


def test_each_alert_fires_when_it_should(tmp_path):
    # The expressions under test; the annotations' text is check rules' to parse.
    groups = copy.deepcopy(prod_groups())
    for rule in groups[0]["rules"]:
        rule.pop("annotations")
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": groups}))
    tests = [{"interval": "1m", "input_series": inputs, "alert_rule_test": checks}
             for inputs, checks in CASES]
    (tmp_path / "tests.yml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests}))
    result = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
