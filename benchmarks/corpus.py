"""A mixed, seeded log corpus: what a node's containers print, for the buffer section.

How well redis compresses the buffer depends on what is in it, so the
events must look like a cluster's: JSON application lines, nginx access
lines, Java services whose stack traces filebeat joins through multiline,
Kubernetes components' klog lines, and short and very long plain lines.
Every line is drawn from a seeded generator, so anyone gets the same bytes
with `python -m benchmarks.corpus --seed 7 --events 100`.
"""

import argparse
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MULTILINE = {"pattern": r"^\s+(at|\.{3})\s|^Caused by:", "match": "after"}
"""The prod stack's containerLogs.multiline: a Java stack trace is one event."""

_WORDS = ("order payment user session cache request retry upstream timeout queue "
          "invoice cart token refresh shard index batch worker lease snapshot").split()
_PATHS = ("/api/v1/orders", "/api/v1/users/{id}", "/healthz", "/api/v2/cart/{id}/items",
          "/static/app.{id}.js", "/api/v1/search", "/login", "/metrics")
_AGENTS = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0 Safari/537.36", "kube-probe/1.34", "curl/8.5.0",
           "Go-http-client/1.1", "python-requests/2.32.3")
_CLASSES = ("com.shop.orders.OrderService", "com.shop.payments.PaymentClient",
            "org.springframework.web.servlet.DispatcherServlet",
            "com.zaxxer.hikari.pool.HikariPool", "io.netty.channel.AbstractChannel")
_EXCEPTIONS = ("java.net.SocketTimeoutException: Read timed out",
               "java.lang.IllegalStateException: order {id} is already settled",
               "org.postgresql.util.PSQLException: connection refused")
_KLOG_FILES = ("reflector.go", "controller.go", "shared_informer.go", "leaderelection.go")


@dataclass(frozen=True)
class Container:
    """One container's log: its events, each one or more printed lines."""

    name: str
    events: list[list[str]]

    @property
    def lines(self) -> list[str]:
        return [line for event in self.events for line in event]


class _Writer:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.clock = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

    def _tick(self) -> datetime:
        self.clock += timedelta(microseconds=self.random.randint(50, 5000))
        return self.clock

    def _id(self) -> str:
        return f"{self.random.getrandbits(48):012x}"

    def _sentence(self, low: int, high: int) -> str:
        return " ".join(self.random.choice(_WORDS) for _ in range(self.random.randint(low, high)))

    def json_line(self) -> list[str]:
        r = self.random
        event = {"ts": self._tick().isoformat(timespec="milliseconds"),
                 "level": r.choice(("info", "info", "info", "debug", "warn", "error")),
                 "logger": r.choice(_CLASSES).rsplit(".", 1)[0], "msg": self._sentence(3, 12),
                 "trace_id": self._id() + self._id(), "span_id": self._id(),
                 "user_id": r.randint(1, 50_000), "duration_ms": round(r.expovariate(1 / 40), 2)}
        if r.random() < 0.3:
            method = r.choice(("GET", "POST", "PUT"))
            status = r.choice((200, 200, 201, 204, 404, 500))
            path = r.choice(_PATHS).format(id=r.randint(1, 999))
            event["http"] = {"method": method, "status": status, "path": path}
        return [json.dumps(event, separators=(",", ":"))]

    def nginx_line(self) -> list[str]:
        r = self.random
        when = self._tick().strftime("%d/%b/%Y:%H:%M:%S +0000")
        client = f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        method = r.choice(("GET", "GET", "POST"))
        return [f'{client} - - [{when}] "{method} {r.choice(_PATHS).format(id=r.randint(1, 9999))} '
                f'HTTP/1.1" {r.choice((200, 200, 200, 304, 404, 502))} {r.randint(0, 90_000)} '
                f'"-" "{r.choice(_AGENTS)}" {r.random():.3f}']

    def java_event(self) -> list[str]:
        r = self.random
        when = self._tick().strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]
        level = r.choice(('INFO', 'INFO', 'WARN', 'ERROR'))
        head = (f"{when} {level} [http-nio-8080-exec-{r.randint(1, 200)}] "
                f"{r.choice(_CLASSES)} - {self._sentence(4, 14)}")
        if r.random() > 0.15:
            return [head]
        frames = [self._frame() for _ in range(r.randint(8, 40))]
        cause = [f"Caused by: {r.choice(_EXCEPTIONS).format(id=r.randint(1, 99_999))}",
                 *frames[-5:], f"\t... {r.randint(10, 60)} more"]
        # The exception on the head line, as MULTILINE joins only frames and causes.
        exception = r.choice(_EXCEPTIONS).format(id=r.randint(1, 99_999))
        return [f"{head}: {exception}", *frames, *cause]

    def _frame(self) -> str:
        r = self.random
        where = f"{r.choice(_CLASSES)}.{r.choice(_WORDS)}"
        return f"\tat {where}({r.choice(_CLASSES).rsplit('.', 1)[1]}.java:{r.randint(20, 900)})"

    def klog_line(self) -> list[str]:
        r = self.random
        when = self._tick()
        return [f"{r.choice('IIIIW')}{when:%m%d %H:%M:%S.%f} {r.randint(1, 40):7d} "
                f"{r.choice(_KLOG_FILES)}:{r.randint(50, 900)}] \"{self._sentence(3, 8)}\" "
                f"pod=\"apps/{r.choice(_WORDS)}-{self._id()[:10]}-{self._id()[:5]}\" "
                f"resourceVersion={r.randint(10**6, 10**8)}"]

    def plain_line(self) -> list[str]:
        r = self.random
        if r.random() < 0.05:
            return [self._sentence(300, 1200)]  # a dumped payload: several kB on one line
        return [r.choice(("ok", "tick", "heartbeat", "done")) + f" {r.randint(0, 10**6)}"]


MIX = {"api": ("json_line", 0.35), "web": ("nginx_line", 0.30), "orders": ("java_event", 0.15),
       "controller": ("klog_line", 0.12), "worker": ("plain_line", 0.08)}
"""Container, what it prints, and its share of the events."""


def corpus(seed: int, events: int) -> list[Container]:
    """`events` events in all, shared among MIX's containers by their share."""
    writer = _Writer(seed)
    out = []
    left = events
    for index, (name, (kind, share)) in enumerate(MIX.items()):
        count = left if index == len(MIX) - 1 else round(events * share)
        left -= count
        out.append(Container(name, [getattr(writer, kind)() for _ in range(count)]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    for container in corpus(args.seed, args.events):
        for line in container.lines:
            print(f"{container.name}\t{line}")


if __name__ == "__main__":
    main()
