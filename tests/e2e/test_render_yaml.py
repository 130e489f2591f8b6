"""`renderYamlToDirectory` under the real engine: `pulumi up` writes files
whose objects are our offline render's, apart from the differences below.

The stack is the suite's dev copy with the key set to a temporary folder; the
provider writes there and touches no cluster (docs/rendering.md). The engine
holds the real password, so the offline render it is compared with is given
that password too: the auth checksums then agree, and only the Secrets'
values differ, as listed.
"""

import base64
import copy

import pytest
import yaml

from components.config.files.stack_file import read_stack_file
from components.project import PROJECT, SECRET_PLACEHOLDER, RawConfig
from components.render.renderer import render_stack_file
from components.review.fields import field_changes
from tests.e2e.cluster import current_context, e2e_stack_text
from tests.e2e.stack import ThrowawayStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MANIFEST_FOLDER = "1-manifest"


def as_offline(body: dict, password: str) -> dict:
    """An object the provider wrote, put the way our render prints it. The
    differences, each the provider's and expected:

    - a Secret's `stringData` is written as base64 `data` (the provider's own
      normalisation), so it is decoded back;
    - a Secret holds the real password, which the offline render never prints:
      it is swapped for `[secret]`.
    """
    body = copy.deepcopy(body)
    if body.get("kind") == "Secret" and "data" in body:
        decoded = {k: base64.b64decode(v).decode() for k, v in body.pop("data").items()}
        body["stringData"] = {k: SECRET_PLACEHOLDER if password in v else v
                              for k, v in decoded.items()}
    return body


def identity(body: dict) -> tuple[str, str | None, str]:
    meta = body["metadata"]
    return body["kind"], meta.get("namespace"), meta["name"]


def test_up_writes_what_the_offline_render_says(cluster, tmp_path):
    folder = tmp_path / "rendered"
    (tmp_path / "state").mkdir()
    stack = ThrowawayStack(tmp_path / "state", current_context() or "local")
    document = yaml.safe_load(e2e_stack_text(stack.namespace, stack.context))
    document["config"][f"{PROJECT}:renderYamlToDirectory"] = str(folder)
    try:
        stack.create(yaml.safe_dump(document, sort_keys=False))
        assert stack.stack is not None and stack.password is not None
        result = stack.stack.up(on_output=print)
        assert result.summary.result == "succeeded"

        written = {}
        for path in sorted((folder / MANIFEST_FOLDER).glob("*.yaml")):
            for body in yaml.safe_load_all(path.read_text()):
                if body:
                    written[identity(body)] = as_offline(body, stack.password)
        raw = read_stack_file(stack.stack_file)
        key = f"{PROJECT}:redisPassword"
        raw = RawConfig({**raw.values, key: stack.password}, raw.secret_keys | {key})
        offline = {identity(m.body): m.body
                   for m in render_stack_file(stack.stack_file, raw).manifests.objects}

        assert sorted(written, key=str) == sorted(offline, key=str)
        differing = [f"{kind} {namespace}/{name} {c.path}: written {c.new!r}, offline {c.old!r}"
                     for (kind, namespace, name), body in sorted(offline.items(), key=str)
                     for c in field_changes(body, written[(kind, namespace, name)])]
        assert differing == [], "\n".join(differing)
        assert SECRET_PLACEHOLDER in str(written[("Secret", stack.namespace, "redis-auth")])
    finally:
        stack.tear_down(on_output=lambda line: None)
