"""The ACL rules of redis' default user, from `redis.deniedCommands`.

Where they go depends on auth. A `user default` line in the config resets
that user as redis starts, after `requirepass` has set its password, so the
two cannot be split: with auth on, the line and the password travel
together in the auth Secret's file (`auth_conf`); with auth off, the line
says `nopass` and sits in redis.conf.
"""

from ...config.redis.model import RedisConfig

ALL_KEYS_AND_CHANNELS = "~* &*"
"""redis 7 grants a reset user no Pub/Sub channels; filebeat's `channel`
output publishes to one, so every key and channel is granted, as before."""


def default_user_rules(config: RedisConfig) -> str | None:
    """`on ~* &* +@all -flushall ...`, or None when nothing is denied."""
    if not config.denied_commands:
        return None
    denials = " ".join(f"-{name.lower()}" for name in config.denied_commands)
    return f"on {ALL_KEYS_AND_CHANNELS} +@all {denials}"


def config_argument(value: str) -> str:
    """One argument as redis' config parser (sdssplitargs) reads it back:
    bare when it is plain, else double-quoted with `\\` and `"` escaped."""
    if value and all(c.isalnum() and c.isascii() or c in "-_.:/@%+=,*" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
