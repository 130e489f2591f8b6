"""From raw stack config to a validated `StackConfig`, or to one line per problem.

Both roads into the program pass through `parse_config`: the Pulumi engine
(which hands the program every value as a string, objects as JSON) and the
offline renderer (which reads the stack file and hands values over the same
way). So a stack that renders offline is a stack that `pulumi up` accepts.
"""

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ...project import PROJECT, SECRET_PLACEHOLDER, UNDECRYPTED, RawConfig
from ..errors import ConfigError, Problem, readable_key
from ..suggestions import did_you_mean
from .model import PASSWORD_KEY, PASSWORD_REQUIRED, SECRET_KEYS, StackConfig, homes
from .problems import problem


def parse_config(raw: RawConfig, origin: str) -> StackConfig:
    """Validate the project's keys; raise `ConfigError` listing every problem."""
    if not isinstance(raw, RawConfig):
        # A stack file's `config:` mapping is the likely mistake; name the road for it.
        raise TypeError(
            f"parse_config takes a RawConfig, as runtime_config() returns it, not "
            f"{type(raw).__name__}; to render a config: mapping use the test kit's render_config")
    data, problems = _read_keys(raw)
    try:
        # Stack files use the camelCase keys only; snake_case names are for Python.
        config = StackConfig.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as error:
        refused = {p.key for p in problems}
        errors = error.errors()
        if problems:
            # A rule across the stack's keys (at loc ()) checked without a key
            # that was refused blames keys written right: pydantic, likewise,
            # checks no section's rules once one of its keys fails.
            errors = [e for e in errors if e["loc"]]
        problems.extend(
            p for p in map(problem, errors)
            if p.key not in refused  # "is required" adds nothing to why it was refused
        )
        raise ConfigError(origin, problems, raw.origins) from None
    if problems:
        raise ConfigError(origin, problems, raw.origins)
    return config


@dataclass(frozen=True)
class Parsed:
    """A stack's config as an offline reader can validate it."""

    config: StackConfig
    raw: RawConfig
    """What was validated: the config given, with a placeholder password when
    `password_left_to_pulumi`; the program under mocks is handed this."""
    password_left_to_pulumi: bool = False


def parse_leaving_password_to_pulumi(raw: RawConfig, origin: str) -> Parsed:
    """`parse_config`, except that a required password the config lacks is
    taken to be set later with `pulumi config set --secret`: a stack file
    never holds it in plain text, and an operator sets it just before `pulumi
    up` (or a pipeline renders without access to it). The renderer, the test
    kit and the check of neighbouring stack files all read stacks this way.

    The rule is tried on the config as given first, so every other problem,
    and a password that is set but wrong, is still refused."""
    try:
        return Parsed(parse_config(raw, origin), raw)
    except ConfigError as error:
        if Problem(PASSWORD_KEY, PASSWORD_REQUIRED) not in error.problems:
            raise
    key = f"{PROJECT}:{PASSWORD_KEY}"
    raw = RawConfig({**raw.values, key: UNDECRYPTED}, raw.secret_keys | {key}, raw.origins)
    return Parsed(parse_config(raw, origin), raw, password_left_to_pulumi=True)


def password_note(origin: str | None = None) -> str:
    """What a render says when it left the password to `pulumi config set`."""
    where = f"{origin}: " if origin else ""
    return (f"{where}{PASSWORD_KEY}: not set; rendered as {SECRET_PLACEHOLDER}. `pulumi up` "
            f"needs it: pulumi config set --secret {PROJECT}:{PASSWORD_KEY} <password>")


def _read_keys(raw: RawConfig) -> tuple[dict[str, Any], list[Problem]]:
    """The project's keys as values for the model, and the keys refused on the way."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    known = {field.alias or name: field for name, field in StackConfig.model_fields.items()}
    for full_key, text in sorted(raw.values.items()):
        namespace, colon, key = full_key.partition(":")
        if not colon:
            # Pulumi reads stack-file keys as <namespace>:<name>; a bare name
            # would be no key of ours, and a typo must not pass in silence.
            problems.append(Problem(readable_key(full_key), _bare(full_key, known)))
            continue
        if namespace != PROJECT:
            continue  # other packages' config, e.g. kubernetes:context
        if key not in known:
            problems.append(Problem(readable_key(key), "unknown key" + did_you_mean(key, known)))
        elif text is None:
            problems.append(Problem(key, "is empty; give it a value or remove the key"))
        elif key in SECRET_KEYS and full_key not in raw.secret_keys:
            problems.append(Problem(key, (
                "is stored in plain text in the stack file; set it with "
                f"`pulumi config set --secret {full_key}` so it is encrypted"
            )))
        elif full_key in raw.secret_keys and key not in SECRET_KEYS:
            problems.append(Problem(key, (
                "is stored as a secret, but this key is written into the manifests "
                "in plain text; set it without --secret"
            )))
        else:
            annotation = known[key].annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                try:
                    data[key] = json.loads(text)
                except json.JSONDecodeError:
                    problems.append(Problem(key, (
                        "must be an object; set its fields with `pulumi config set --path`"
                    )))
            else:
                data[key] = _scalar(text, annotation)
    return data, problems


def _bare(key: str, known: Collection[str]) -> str:
    """Why a key without a namespace is refused, and what to write instead:
    `redis-filebeat:<key>` only for a key of ours, or following that advice
    would only swap this line for "unknown key"."""
    if key in known:
        return f"has no namespace; write {PROJECT}:{key}"
    paths = homes(key)
    if paths:
        roots = {path.split(".")[0] for path in paths}
        where = f"{PROJECT}:{roots.pop()}" if len(roots) == 1 else "the one it belongs to"
        among = ", ".join(paths[:-1]) + " and " * (len(paths) > 1) + paths[-1]
        return (f"looks mis-indented: it is no key of {PROJECT}'s own but one of "
                f"{among}; indent it under {where}")
    return (f"has no namespace, and is no key of {PROJECT}" + (
        did_you_mean(key, known, prefix=f"{PROJECT}:")
        or f"; another package's key is written <package>:{key}"))


def _scalar(text: str, annotation: Any) -> Any:
    # The engine passes `true` as the string "true"; Config.get_bool would too.
    if annotation is bool and text in ("true", "false"):
        return text == "true"
    return text
