"""The whole stack as one component, `redis-filebeat:index:Stack`, for programs
in other languages.

`provider/` serves this class (`serve`) through the Pulumi SDK's component
provider, which infers the package schema from the type hints below:
`StackArgs` are the inputs, the annotations on `Stack` the outputs. The hints cannot say
what the stack-file contract says (unions such as `updateStrategy`, patterns,
cross-field rules), so only the top-level keys are typed here; `redis` and
`filebeat` are objects the schema leaves open, and the pydantic models check
them exactly as they check a stack file, one line per problem.
"""

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
from pulumi.errors import InputPropertiesError
from pulumi.output import contains_unknowns
from pulumi.provider import main
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.util import camel_case
from pulumi.runtime import rpc

from ..config.errors import ConfigError, Problem, printable
from ..config.stack.model import PASSWORD_KEY, StackConfig
from ..config.stack.parse import parse_config
from ..project import PROJECT, VERSION, RawConfig
from .program import build

TYPE = f"{PROJECT}:index:Stack"
"""The component's type token: the package is the project, the module `index`."""


class StackArgs(TypedDict):
    """The stack's config, keyed as in a stack file without the `redis-filebeat:`
    prefix; the configuration reference gives every key below `redis` and `filebeat`."""

    redis: dict[str, Any]
    """The buffer: `redis` of the configuration reference. Required, as its image is."""
    filebeat: dict[str, Any]
    """The node daemon: `filebeat` of the configuration reference. Required, as its image is."""
    namespace: NotRequired[str]
    """The namespace for every object. Default 'default', as in a stack file."""
    create_namespace: NotRequired[bool]
    """Create the namespace too. Default false, as in a stack file."""
    cluster_domain: NotRequired[str]
    """The cluster's DNS domain, for REDIS_HOST. Default 'cluster.local'."""
    force_conflicts: NotRequired[bool]
    """Take back fields another tool changed. Default true, as in a stack file."""
    redis_password: NotRequired[pulumi.Input[str]]
    """The password redis requires and filebeat sends, when `redis.auth` is on
    (the default). Pass a secret (in YAML, a config value set with `--secret`):
    it is kept secret either way, but a plain value stays readable in the
    calling program's state."""


class Stack(pulumi.ComponentResource):
    """A redis log buffer and a filebeat DaemonSet that ships every node's logs to
    it: the objects `pulumi up` of this project deploys, from the same config."""

    namespace: pulumi.Output[str]
    """The namespace every object is in."""
    redis_host: pulumi.Output[str]
    """The buffer's Service, as filebeat reaches it (its cluster DNS name)."""
    redis_port: pulumi.Output[int]
    """The port redis listens on."""
    daemon_set_names: pulumi.Output[list[str]]
    """filebeat's DaemonSets: one, or one per node class."""

    def __init__(self, name: str, args: StackArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        # Checked before the component registers, so a bad input leaves nothing behind.
        config = stack_config(name, {camel_case(k): v for k, v in args.items()})
        super().__init__(TYPE, name, None, opts)
        stack = build(config, parent=self)
        self.namespace = pulumi.Output.from_input(config.namespace)
        self.redis_host = stack.redis.host
        self.redis_port = stack.redis.port
        self.daemon_set_names = stack.filebeat.names
        self.register_outputs({"namespace": self.namespace, "redisHost": self.redis_host,
                               "redisPort": self.redis_port,
                               "daemonSetNames": self.daemon_set_names})


def stack_config(name: str, inputs: Mapping[str, Any]) -> StackConfig:
    """The component's inputs (by their schema names, the stack-file keys) as a
    validated `StackConfig`.

    Raises `InputPropertiesError`, which the provider reports as the message
    alone, no traceback: one line per problem, `<key>: <what is wrong>`. The
    engine puts the resource in front: `redis-filebeat:index:Stack resource
    'logs' has a problem: filebeat.image: is required`.
    """
    try:
        return parse_config(raw_config(inputs, name), name)
    except ConfigError as error:
        lines = "\n".join(printable(f"{p.key}: {p.message}") for p in error.problems)
        # No property details: the lines already name the keys. An empty list,
        # not None: the SDK's server sends its status only with a list.
        raise InputPropertiesError(lines, []) from None


def raw_config(inputs: Mapping[str, Any], name: str) -> RawConfig:
    """The inputs as the engine hands a stack file's keys to a program: full
    keys, strings, objects as JSON. So `parse_config` applies every rule a
    stack file meets, an unknown key included."""
    values: dict[str, str | None] = {}
    problems = []
    for key, value in inputs.items():
        found = settled(value)
        if not found.known:
            problems.append(Problem(key, (
                "is not known until another resource is created; the component checks "
                "its config before it builds anything, so pass a value known at preview")))
        elif found.secret and key != PASSWORD_KEY:
            # As a stack file's rule: it would be written into a manifest in plain text.
            problems.append(Problem(key, (
                "is a secret, but this input is written into the manifests in plain text; "
                "pass it as a plain value")))
        else:
            plain = found.value
            values[f"{PROJECT}:{key}"] = plain if isinstance(plain, str) else json.dumps(plain)
    if problems:
        raise ConfigError(name, problems)
    # Whatever the caller passed, the password is a secret from here on: `build`
    # writes it only into Kubernetes Secrets, and never into a manifest.
    return RawConfig(values, frozenset({f"{PROJECT}:{PASSWORD_KEY}"}))


@dataclass(frozen=True)
class Settled:
    """An input with every Output and secret in it replaced by its value."""

    value: Any
    known: bool = True
    """False when any part of it is unknown (at preview, another resource's output)."""
    secret: bool = False
    """True when any part of it was a secret."""


def settled(value: Any) -> Settled:
    """`value` as plain data, and whether all of it is known and any of it secret.

    The provider server resolves every input before it constructs the
    component, wrapping a secret (or a value with dependencies) in an Output
    whose data is already there: so it can be read here, where validation
    must happen before anything is registered, without awaiting.
    """
    if isinstance(value, pulumi.Output):
        data = value._data  # private: settled by the provider server, see above
        if not data.done() or data.cancelled() or data.exception() is not None:
            return Settled(None, known=False)
        resolved = data.result()
        inner = settled(resolved.value)
        return Settled(inner.value, inner.known and resolved.is_known,
                       inner.secret or resolved.is_secret)
    if rpc.is_rpc_secret(value):  # a secret nested in an object stays wrapped
        inner = settled(rpc.unwrap_rpc_secret(value))
        return Settled(inner.value, inner.known, secret=True)
    if isinstance(value, dict | list):
        parts = {k: settled(v) for k, v in
                 (value.items() if isinstance(value, dict) else enumerate(value))}
        plain = {k: p.value for k, p in parts.items()}
        return Settled(plain if isinstance(value, dict) else list(plain.values()),
                       all(p.known for p in parts.values()),
                       any(p.secret for p in parts.values()))
    if contains_unknowns(value):
        return Settled(None, known=False)
    if isinstance(value, float) and value.is_integer():
        # The wire has only doubles: 6379 arrives as 6379.0, and the models
        # take integers strictly. A whole float in a float field is accepted.
        return Settled(int(value))
    return Settled(value)


class StackProvider(ComponentProvider):
    """The SDK's component provider, checking the config before the component
    is constructed.

    `ComponentProvider.construct` reports any exception raised in a
    component's constructor with a Python traceback; an `InputPropertiesError`
    raised here, before it, reaches `pulumi preview` as its message alone.
    """

    def __init__(self) -> None:
        super().__init__([Stack], PROJECT, version=VERSION)

    def construct(self, name: str, resource_type: str, inputs: pulumi.Inputs,
                  options: pulumi.ResourceOptions | None = None) -> Any:
        if resource_type == TYPE:
            stack_config(name, inputs)
        return super().construct(name, resource_type, inputs, options)


def serve() -> None:
    """Run the provider plugin: what `provider/__main__.py` does.

    `component_provider_host` would build a plain `ComponentProvider`; this is
    the rest of what it does (the SDK's provider server, on the arguments the
    language host passes), with `StackProvider` instead.
    """
    main(StackProvider(), sys.argv[1:])
