"""The buffer's alerts, as the groups of a PrometheusRule: plain data, from config.

Each fires before, or as soon as, filebeat stalls: filebeat keeps its place
in each file while redis refuses it, so the logs are safe only until the
node rotates them away. The metric names are redis_exporter's (v1.x);
docs/buffer.md#monitoring says why each threshold is what it is.
"""

import json
from dataclasses import dataclass
from typing import Any

from ...config.redis.monitoring import BufferRules, metrics_service_name

LIST_READS = ("lpop", "rpop", "blpop", "brpop", "lmpop", "blmpop", "lmove", "blmove",
              "rpoplpush", "brpoplpush", "ltrim")
"""Every command that takes entries off a list: LPOP and BLPOP (logstash with
batch_count 1), LTRIM (logstash's batched reads, in a script, which redis
counts per command), the rest for any other reader."""
TREND_WINDOW = "5m"
"""The window a trend or a rate is read over: a few scrapes at any interval
a Prometheus would use for this."""
FILL_WINDOW = "30m"
"""The growth RedisBufferFullSoon carries on: long enough that a minute's
burst does not read as an hour's trend, short enough to follow a reader
that slowed down this half hour."""


@dataclass(frozen=True)
class WatchedList:
    """The list filebeat pushes to: its database and key."""

    db: int
    key: str


FILEBEATS_DEFAULT_LIST = WatchedList(db=0, key="filebeat")


def promql_string(value: str) -> str:
    """A PromQL string literal: JSON's escapes are a subset of Go's, which PromQL uses."""
    return json.dumps(value)


def buffer_rule_groups(redis_name: str, namespace: str, rules: BufferRules,
                       watched: WatchedList) -> list[dict[str, Any]]:
    """One group, `<namespace>/<redis> buffer`, every alert scoped to this stack's
    series: the ServiceMonitor's job label and the namespace."""
    job = metrics_service_name(redis_name)
    target = f"namespace={promql_string(namespace)},job={promql_string(job)}"
    length = (f'redis_key_size{{{target},db="db{watched.db}",'
              f'key={promql_string(watched.key)}}}')
    reads = "|".join(LIST_READS)
    alerts = [
        _alert(
            "RedisBufferMemoryHigh", rules.memory_for_minutes, "warning",
            f"(redis_memory_used_bytes{{{target}}} / (redis_memory_max_bytes{{{target}}} > 0))"
            f" > {rules.memory_fraction}",
            "redis is close to maxmemory, where it refuses filebeat's writes",
            f"{{{{ $labels.pod }}}} holds {{{{ $value | humanizePercentage }}}} of its "
            f"maxmemory (alert above {rules.memory_fraction:.0%}). Drain the buffer or "
            "give redis more memory before filebeat stalls."),
        _alert(
            "RedisBufferFullSoon", rules.full_for_minutes, "warning",
            f"predict_linear(redis_memory_used_bytes{{{target}}}[{FILL_WINDOW}], "
            f"{rules.full_within_minutes * 60}) > (redis_memory_max_bytes{{{target}}} > 0)",
            f"at its last half hour's growth, the buffer reaches maxmemory within "
            f"{rules.full_within_minutes} minutes",
            f"{{{{ $labels.pod }}}} would hold {{{{ $value | humanize1024 }}}}B in "
            f"{rules.full_within_minutes} minutes at the pace of the last {FILL_WINDOW}, past "
            "its maxmemory, where redis refuses filebeat's writes. Speed up the reader, or "
            "give redis more memory (docs/buffer.md#sizing)."),
        _alert(
            "RedisBufferGrowing", rules.growing_for_minutes, "warning",
            f"deriv({length}[{TREND_WINDOW}]) > 0",
            "the buffer's list has grown for a while: its reader is slower than filebeat",
            f"The list {watched.key} on {{{{ $labels.pod }}}} has trended upward for "
            f"{rules.growing_for_minutes} minutes; at this pace it reaches maxmemory and "
            "filebeat stalls."),
        _alert(
            "RedisBufferNoConsumer", rules.no_consumer_for_minutes, "critical",
            f"{length} > 0 unless on (namespace, pod) "
            f"sum by (namespace, pod) (rate(redis_commands_total{{{target},"
            f'cmd=~"{reads}"}}[{TREND_WINDOW}])) > 0',
            "the buffer holds logs and nothing reads them",
            f"The list {watched.key} on {{{{ $labels.pod }}}} holds {{{{ $value }}}} "
            f"entries and no command took any off it for {rules.no_consumer_for_minutes} "
            "minutes. Is the reader (logstash) running, and admitted by redis.clients?"),
        _alert(
            "RedisBufferRejectingWrites", rules.rejected_writes_for_minutes, "critical",
            f'increase(redis_errors_total{{{target},err="OOM"}}[{TREND_WINDOW}]) > 0',
            "redis refuses writes: filebeat is stalled",
            "{{ $labels.pod }} answered {{ $value | humanize }} commands with OOM in the "
            "last 5 minutes: it is at maxmemory, and filebeat retries in place. Logs wait "
            "on the nodes until redis is drained."),
        _alert(
            "RedisBufferUnwatched", rules.exporter_down_for_minutes, "warning",
            f"up{{{target}}} == 0 or redis_up{{{target}}} == 0 or absent(up{{{target}}})",
            "the buffer's exporter is not scraped, or cannot reach redis",
            "Every other buffer alert is silent while this one fires. An absent target "
            "usually means the ServiceMonitor's labels match no Prometheus "
            "(redis.monitoring.labels) or the NetworkPolicy keeps the scraper out "
            "(redis.monitoring.scraperNamespace)."),
    ]
    return [{"name": f"{namespace}/{redis_name} buffer", "rules": alerts}]


def _alert(name: str, minutes: int, severity: str, expr: str, summary: str,
           description: str) -> dict[str, Any]:
    alert: dict[str, Any] = {"alert": name, "expr": expr}
    if minutes:
        alert["for"] = f"{minutes}m"
    alert["labels"] = {"severity": severity}
    alert["annotations"] = {"summary": summary, "description": description}
    return alert
