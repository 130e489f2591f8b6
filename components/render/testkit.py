"""A test kit for stacks built on these components.

Render a config to plain manifest dicts and assert on them, with no Pulumi
CLI, no cluster and no event-loop set-up:

    from redis_filebeat.testing import render_config

    def test_on_delete():
        out = render_config({"redis": {"image": "redis:7.4-alpine"},
                             "filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3",
                                          "updateStrategy": {"type": "OnDelete"}}})
        ds = out.manifests["DaemonSet"]["filebeat"]
        assert ds["spec"]["updateStrategy"] == {"type": "OnDelete"}

Or take the `render_config` fixture: installing the package registers the
kit's pytest plugin (`testing.py`, the module users import). Every render
runs in its own thread, context, event loop and Pulumi settings, and puts the
runtime back afterwards, so users' tests may use Pulumi's own mocks as its
testing guide shows (`set_mocks` at module level, `@pulumi.runtime.test`,
even one with resources in flight) and pytest-asyncio, and render beside them.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..config.stack.model import PASSWORD_KEY, StackConfig
from .renderer import Rendered, raw_config, render, render_stack_file

__all__ = ["Rendered", "render_config", "render_stack_file"]

ORIGIN = "<render_config>"
"""What `render_config`'s errors name instead of a stack file: the config is
the caller's, and no file of that name exists."""


def render_config(
    config: StackConfig | Mapping[str, Any],
    stack: str = "test",
    secrets: Mapping[str, Any] | None = None,
    program: Callable[[], Any] | None = None,
) -> Rendered:
    """Render `config`, a stack file's `config:` mapping or a `StackConfig`.

    Raises `ConfigError` for invalid config, exactly as `pulumi up` would
    refuse it, its lines naming `<render_config>` where a stack file's name
    would be, with one exception: the redis password. A stack file's
    `config:` never holds it (it is set with `pulumi config set --secret`),
    so, as `render --config` does, a missing one renders as a placeholder,
    with a note in `notes`. `secrets={"redisPassword": ...}` sets it as
    `pulumi config set --secret` would: no note, the pods' `checksum/redis-auth`
    derived from it (so a test sees a new password roll them), and the second
    run that fails if any secret reaches the output unmarked. Secret values
    still print as `[secret]`: the renderer never prints one. Pass `program`
    to render your own program around ours.
    """
    if not isinstance(config, StackConfig | Mapping):
        raise TypeError(
            "render_config takes a stack file's config: mapping or a StackConfig, not "
            f"{type(config).__name__}; for a stack file use render_stack_file")
    if not isinstance(secrets or {}, Mapping):
        raise TypeError(f"render_config's secrets is a mapping of key to value, not "
                        f"{type(secrets).__name__}")
    if isinstance(config, StackConfig):
        password = config.redis_password
        config = config.model_dump(mode="json", by_alias=True, exclude={"redis_password"})
        if password is not None and PASSWORD_KEY not in (secrets or {}):
            # A secret is handed over as `pulumi config set --secret` would.
            secrets = {**(secrets or {}), PASSWORD_KEY: password.get_secret_value()}
    return render(raw_config(config, secrets), stack, origin=ORIGIN, program=program,
                  leave_password_to_pulumi=True)
