"""redis.existingSecret's start-up steps refusing a password that breaks
redisPassword's rules: run for real with sh, as in test_existing_secret_startup.py,
each such password stops the step with one line that does not quote it, and
writes nothing for redis or filebeat to read. And the steps' rules are
redisPassword's own: what one refuses, the other refuses.
"""

import pytest

from tests.real import existing_secret_startup as startup
from tests.real.existing_secret_startup import TRICKY, Pod, rendered

pytestmark = startup.MARKS
shell_env = startup.shell_env
"""The shell the steps run in: the system's sh, then busybox's applets alone."""

REFUSED = [
    ("sixteen-characters-then-a-newline\n", "ends with a line break"),
    ("sixteen-characters-\x07-a-bell", "must not contain control characters or line breaks"),
    ("sixteen-characters\r\nand-more", "must not contain control characters or line breaks"),
    ("sixteen-characters-\u2028-separator", "must not contain control characters or line breaks"),
    ("sixteen-characters-${HOME}", "must not contain ${: filebeat would expand it"),
    ("fifteen-chars-x", "must be 16 to 512 characters long"),
    ("x" * 513, "must be 16 to 512 characters long"),
    ("é" * 513, "must be 16 to 512 characters long"),
    ("x" * 3000, "is longer than 512 characters"),
]
REFUSED_BYTES = [
    (b"sixteen-characters-\xff-not-utf-8", "is not UTF-8 text"),
    (b"sixteen-characters-\xc0\xaf-overlong", "is not UTF-8 text"),
    (b"sixteen-characters-\xed\xa0\x80-surrogate", "is not UTF-8 text"),
    (b"sixteen-characters-\x00-a-nul", "must not contain control characters or line breaks"),
]


@pytest.mark.parametrize(("password", "why"), [
    *((text.encode(), why) for text, why in REFUSED), *REFUSED_BYTES],
    ids=[*(f"refused-{n}" for n in range(len(REFUSED))),
         *(f"bytes-{n}" for n in range(len(REFUSED_BYTES)))])
@pytest.mark.parametrize(("kind", "name", "written"), [
    ("Deployment", "redis", "auth-files"), ("DaemonSet", "filebeat", "redis-auth-files")])
def test_a_password_breaking_the_rules_stops_the_pod_without_quoting_it(
        password, why, kind, name, written, shell_env, tmp_path):
    pod = Pod(rendered(monitoring=True), kind, name, password, tmp_path)
    step = pod.run_init(shell_env)
    assert step.returncode != 0
    assert step.stdout == ""
    [line] = step.stderr.splitlines()
    assert line.startswith("redis-auth: the redis password in Secret creds, key pw, ")
    assert why in line
    # Not the value, nor any recognisable part of it.
    text = password.decode(errors="replace")
    assert text not in step.stderr
    assert not any(part in step.stderr for part in ("sixteen-characters", "fifteen", "xxxx",
                                                    "éé"))
    assert list(pod.folders[written].iterdir()) == []  # nothing half-written for redis to read


def test_the_rules_are_redis_passwords_own():
    """Every refused password is refused by redisPassword's validator too, and
    every tricky one passes it: one set of rules, whichever way it comes."""
    from pydantic import ValidationError

    from components import StackConfig
    from tests.configs import minimal

    def accepted(text: str) -> bool:
        try:
            StackConfig.model_validate(minimal() | {"redisPassword": text})
        except ValidationError:
            return False
        return True

    assert all(accepted(text) for text in TRICKY)
    assert not any(accepted(text) for text, _ in REFUSED)
    assert not any(accepted(data.decode(errors="surrogateescape")) for data, _ in REFUSED_BYTES)
