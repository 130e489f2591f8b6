"""filebeat's probes: alive while its HTTP endpoint answers, ready while redis does.

Readiness cannot be `filebeat test output`: filebeat's redis output has no
test ("redis output doesn't support testing", exit 1), so that probe fails
forever, every pod stays unready and every rollout waits out its timeout.
Instead the probe does what that test does for the outputs that have one:
it connects to REDIS_HOST:REDIS_PORT from the pod, as filebeat does, sends
the password, and expects PONG. So a wrong host, a NetworkPolicy that drops
the pod's traffic, or a password redis refuses keeps the pod unready, and a
rollout with a broken output stops at its first wave. It is bash (its
/dev/tcp), which filebeat's image has: its entrypoint is a bash script.
"""

from pulumi_kubernetes.core.v1 import ExecActionArgs, ProbeArgs

from ...config.filebeat.model import FilebeatConfig
from .yml import MONITORING_HOST

REDIS_ANSWERS = r"""export LC_ALL=C
exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" || exit 1
if [ -n "$1" ]; then
  password="$(cat -- "$1")" || exit 1
  printf '*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n' "${#password}" "$password" >&3
  IFS= read -r -t 5 reply <&3 || { echo "redis did not answer AUTH" >&2; exit 1; }
  [ "$reply" = $'+OK\r' ] || { echo "redis answered AUTH with ${reply%$'\r'}" >&2; exit 1; }
fi
printf '*1\r\n$4\r\nPING\r\n' >&3
IFS= read -r -t 5 reply <&3 || { echo "redis did not answer PING" >&2; exit 1; }
[ "$reply" = $'+PONG\r' ] || { echo "redis answered PING with ${reply%$'\r'}" >&2; exit 1; }
"""
"""$1: the file with redis' password, or '' where redis asks for none. The
length is counted in bytes (LC_ALL=C), as RESP counts it."""


def probes(config: FilebeatConfig, password_file: str | None) -> tuple[ProbeArgs, ProbeArgs]:
    """Liveness and readiness. `password_file` must hold the password this
    container's filebeat started with, never the live Secret's (which the
    kubelet rewrites in place): a subPath mount of our own Secret, or the
    start-up step's copy of an existing one (component.py, auth.py)."""
    return (
        # Alive while its own HTTP endpoint answers: not restarted for redis' sake.
        ProbeArgs(exec_=ExecActionArgs(command=[
            "curl", "--fail", "--silent", "--show-error", "--max-time", "5",
            "--output", "/dev/null", f"http://{MONITORING_HOST}:{config.monitoring_port}/",
        ]), initial_delay_seconds=10, period_seconds=10, timeout_seconds=6,
            failure_threshold=3),
        ProbeArgs(exec_=ExecActionArgs(command=[
            "bash", "-c", REDIS_ANSWERS, "redis-answers", password_file or "",
        ]), initial_delay_seconds=5, period_seconds=15, timeout_seconds=10,
            failure_threshold=3),
    )
