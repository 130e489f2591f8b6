"""The stack config contract: what `redis-filebeat:*` keys a stack file may hold.

Every model forbids unknown keys, because a misspelt key (`maxSuge`) that
passed silently would deploy the default instead of what the operator wrote.
Each field's docstring gives its default and why; rules that tie several
fields together live in a model validator whose message names every field.
"""

from collections.abc import Mapping
from typing import Annotated, Any, get_args

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from ...conventions import INSTANCE_LABEL, NAME_LABEL
from ..base import CamelModel, KeyedError
from ..filebeat.model import FilebeatConfig
from ..filebeat.registry import with_default_registry
from ..kube.names import DNS1123Label, DNS1123Subdomain
from ..redis.acl import ALWAYS_NEEDED, FILEBEAT_NEEDS, refused_denial
from ..redis.model import RedisConfig

PASSWORD_KEY = "redisPassword"
SECRET_KEYS = frozenset({PASSWORD_KEY})
"""Keys that must be set with `pulumi config set --secret`, and are never
written into a manifest in plain text."""
PASSWORD_REQUIRED = (
    "is required because redis.auth is true; set it with `pulumi config set --secret "
    "redis-filebeat:redisPassword \"$(openssl rand -base64 24)\"`, or name a Secret "
    "that holds it with redis.existingSecret"
)
EXISTING_SECRET_KEY = "redis.existingSecret"


class StackConfig(CamelModel):
    """Everything under the `redis-filebeat:` namespace of a stack file."""

    namespace: DNS1123Label = "default"
    """The namespace for every object. Default 'default', as in the tutorial."""
    create_namespace: bool = False
    """Create the namespace too. Default false: most clusters hand namespaces
    out through their own process. Refused for the namespaces every cluster
    has (default, kube-system, kube-public, kube-node-lease)."""
    cluster_domain: DNS1123Subdomain = "cluster.local"
    """The cluster's DNS domain, for REDIS_HOST. Default 'cluster.local'."""
    redis: RedisConfig
    filebeat: FilebeatConfig
    render_yaml_to_directory: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    """Make `pulumi up` write the manifests to this folder instead of deploying
    them, through a Kubernetes provider with `renderYamlToDirectory`. Default
    unset: deploy to the cluster. Use a stack of its own for it: switching a
    deployed stack over replaces every object. The folder holds Secrets' data
    in plain text (base64); keep it out of git."""
    force_conflicts: bool = True
    """Let `pulumi up` take back the fields this stack sets when another tool
    changed them (`kubectl set image`, `kubectl edit`), as `kubectl apply
    --server-side --force-conflicts` and Flux do: the stack is the source of
    truth for what it declares, and fields it does not set stay the other
    tool's. Default true. Set false to have `up` stop at such a field conflict,
    naming the field and the tool that owns it."""
    redis_password: Annotated[SecretStr, Field(min_length=16, max_length=512)] | None = None
    """The password redis requires and filebeat sends: set exactly when
    redis.auth is on and redis.existingSecret is not, with
    `pulumi config set --secret redis-filebeat:redisPassword`.
    It reaches the cluster only inside Kubernetes Secrets. 16 to 512 printable
    characters (redis answers thousands of guesses a second), without `${`,
    which filebeat would expand."""

    # Not "": pulumi-kubernetes takes an empty directory for unset, so the stack
    # would deploy to the cluster. Not refused with redisPassword set: auth is on
    # by default, so such a guard would always fire; the provider warns per file.
    @field_validator("render_yaml_to_directory")
    @classmethod
    def _a_path_on_one_line(cls, path: str | None) -> str | None:
        if path is not None and any(not c.isprintable() for c in path):
            raise ValueError("must not contain control characters or line breaks")
        return path

    @field_validator("redis_password")
    @classmethod
    def _password_survives_both_readers(cls, password: SecretStr | None) -> SecretStr | None:
        # Messages here must never quote the value.
        text = password.get_secret_value() if password else ""
        if any(not c.isprintable() for c in text):
            raise ValueError("must not contain control characters or line breaks")
        if "${" in text:
            raise ValueError("must not contain '${': filebeat would expand it as a variable")
        return password

    @model_validator(mode="before")
    @classmethod
    def _registry_in_the_stacks_namespace(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "filebeat" not in data:
            return data
        namespace = data.get("namespace", cls.model_fields["namespace"].default)
        return {**data, "filebeat": with_default_registry(data["filebeat"], namespace)}

    @model_validator(mode="after")
    def _password_matches_auth(self) -> "StackConfig":
        existing = self.redis.existing_secret
        if existing is not None and not self.redis.auth:
            raise KeyedError(EXISTING_SECRET_KEY, (
                f"{EXISTING_SECRET_KEY} is set, but redis.auth is false, so redis would not ask "
                f"for a password; remove {EXISTING_SECRET_KEY} or turn auth on"),
                also=("redis.auth",))
        if existing is not None and self.redis_password is not None:
            raise KeyedError(EXISTING_SECRET_KEY, (
                f"{EXISTING_SECRET_KEY} is set, and so is {PASSWORD_KEY}; pick one: the "
                "stack's own secret, or a Secret someone else made"), also=(PASSWORD_KEY,))
        if self.redis.auth and self.redis_password is None and existing is None:
            raise KeyedError(PASSWORD_KEY, PASSWORD_REQUIRED)
        if not self.redis.auth and self.redis_password is not None:
            raise KeyedError(PASSWORD_KEY, (
                f"{PASSWORD_KEY} is set, but redis.auth is false, so redis would not ask for "
                f"it; remove {PASSWORD_KEY} or turn auth on"), also=("redis.auth",))
        return self

    @model_validator(mode="after")
    def _namespace_is_creatable(self) -> "StackConfig":
        if self.create_namespace and self.namespace in BUILTIN_NAMESPACES:
            raise KeyedError("createNamespace", (
                f"createNamespace is true but namespace {self.namespace!r} is built into "
                "every cluster; set createNamespace to false"), also=("namespace",))
        return self

    @model_validator(mode="after")
    def _names_are_distinct(self) -> "StackConfig":
        # Each component names its objects after itself; two names can still
        # meet (redis 'a-redis' and filebeat 'a' both want Secret 'a-redis-auth').
        clash = self.redis.object_names() & self.filebeat.object_names()
        if clash:
            kind, name = min(clash)
            # When only monitoring's objects clash, turning it off clears it: a --set
            # that turned it on is what the operator just did, and is named.
            monitored = clash <= self.redis.monitoring.object_names(self.redis.name)
            why, also = ((" for monitoring, as redis.monitoring.enabled is true",
                          ("redis.monitoring.enabled",)) if monitored else ("", ()))
            raise KeyedError("filebeat.name", (
                f"filebeat.name {self.filebeat.name!r} would name a {kind} {name!r}, which "
                f"redis.name {self.redis.name!r} names the same{why}; choose another name"),
                also=("redis.name", *also))
        return self

    @model_validator(mode="after")
    def _selectors_are_disjoint(self) -> "StackConfig":
        # A selector matches every pod that carries all of its labels. If one
        # workload's labels contain the other's, the redis Service would send
        # traffic to filebeat pods, or two controllers would fight over pods.
        # Each side's pods carry their podLabels and the recommended labels too.
        redis, filebeat = self.redis, self.filebeat
        if redis.labels.items() <= {**filebeat.pod_labels, **filebeat.labels}.items():
            key, other = ("filebeat.labels" if redis.labels.items() <= filebeat.labels.items()
                          else "filebeat.podLabels", "redis.labels")
            also: tuple[str, ...] = (other,)
        elif filebeat.labels.items() <= {**redis.pod_labels, **redis.labels}.items():
            key, other = (("filebeat.labels", "redis.labels")
                          if filebeat.labels.items() <= redis.labels.items()
                          else ("redis.podLabels", "filebeat.labels"))
            also = (other,)
        elif _selects(redis.labels, filebeat.all_pod_labels):
            key, (other, also) = "redis.labels", _recommended("filebeat", redis.labels)
        elif _selects(filebeat.labels, redis.all_pod_labels):
            key, (other, also) = "filebeat.labels", _recommended("redis", filebeat.labels)
        else:
            return self
        raise KeyedError(key, (
            f"{key} overlaps {other}: one workload's selector would also match the other's "
            "pods; give each a label the other lacks"), also=also)

    @model_validator(mode="after")
    def _monitoring_watches_a_list(self) -> "StackConfig":
        if self.redis.monitoring.enabled and self.filebeat.output.datatype != "list":
            raise KeyedError("redis.monitoring.enabled", (
                "redis.monitoring.enabled needs filebeat.output.datatype list: the exporter "
                "and the alerts watch the list's length, and a channel keeps none"),
                also=("filebeat.output.datatype",))
        return self

    @model_validator(mode="after")
    def _filebeat_may_send_what_it_sends(self) -> "StackConfig":
        needed = {**ALWAYS_NEEDED, **FILEBEAT_NEEDS[self.filebeat.output.datatype]}
        problem = refused_denial(self.redis.denied_commands, needed)
        if problem:
            raise KeyedError("redis.deniedCommands", problem, also=("filebeat.output.datatype",))
        return self


BUILTIN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def _recommended(workload: str, selector: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """The recommended labels of `workload`'s pods that a selector overlaps, and
    the key that sets the one of them that varies, app.kubernetes.io/name, when
    the selector reads it: only then can an override of the name break the rule."""
    whose = "redis'" if workload == "redis" else f"{workload}'s"
    if NAME_LABEL not in selector:
        return f"the app.kubernetes.io/ labels of {whose} pods", ()
    return (f"the app.kubernetes.io/ labels of {whose} pods (app.kubernetes.io/name is "
            f"{workload}.name)", (f"{workload}.name",))


def _selects(selector: Mapping[str, str], pods: Mapping[str, str]) -> bool:
    """Whether `selector` would match pods with these labels. Pods that carry no
    `app.kubernetes.io/instance` of their own carry the stack's name, unknown
    here: a selector on it is taken to match, as both workloads share it."""
    return all(pods.get(key, value if key == INSTANCE_LABEL else None) == value
               for key, value in selector.items())


def config_aliases() -> set[str]:
    """Every key the config accepts, anywhere, for did-you-mean hints."""
    return {field.alias or name for model in _models(StackConfig)
            for name, field in model.model_fields.items()}


def homes(key: str) -> list[str]:
    """The dotted paths of the shallowest sections that take `key`: where a
    key written at the wrong depth was most likely meant to go."""
    level: list[tuple[str, type[BaseModel]]] = [("", StackConfig)]
    seen: set[type[BaseModel]] = set()
    while level:
        found = [path for path, model in level if key in
                 {f.alias or n for n, f in model.model_fields.items()}]
        if found:
            return list(dict.fromkeys(found))
        seen.update(model for _, model in level)
        level = [(f"{path}.{field.alias or name}".lstrip("."), nested)
                 for path, model in level for name, field in model.model_fields.items()
                 for nested in _nested_models(field.annotation) if nested not in seen]
    return []


def _models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """`model` and every model its fields can hold, however deeply nested."""
    found: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        for field in current.model_fields.values():
            todo.extend(_nested_models(field.annotation))
    return found


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _nested_models(arg)]
