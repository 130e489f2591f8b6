"""The yardstick for `python -m benchmarks --sections engine`: our dev render's
objects as plain pulumi_kubernetes resources, with nothing of ours.

Each object is made by its own class (`pulumi_kubernetes.apps.v1.DaemonSet`), its
fields handed over as the manifest has them (a plain dict keeps its keys on the
wire), so the engine and the provider do for it exactly what they do for our
program's objects: the same checks, applies and awaits. The Namespace comes
first, as in ours. A Secret's `[secret]` values are the stack's password.
"""

import importlib
import json
import re
from pathlib import Path

import pulumi

PLACEHOLDER = "[secret]"


def resource_class(api_version: str, kind: str) -> type:
    group, _, version = api_version.rpartition("/")
    module = importlib.import_module(f"pulumi_kubernetes.{group.split('.')[0] or 'core'}.{version}")
    return getattr(module, kind)


def python_name(field: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()


objects = json.loads(Path(pulumi.Config("bare").require("objects")).read_text())
password = pulumi.Config("redis-filebeat").require_secret("redisPassword")
namespace = None
for body in objects:
    fields = {python_name(k): v for k, v in body.items() if k not in ("apiVersion", "kind")}
    if body["kind"] == "Secret":
        fields["string_data"] = {k: password if v == PLACEHOLDER else v
                                 for k, v in fields.get("string_data", {}).items()}
    created = resource_class(body["apiVersion"], body["kind"])(
        f"{body['kind']}-{body['metadata']['name']}",
        opts=pulumi.ResourceOptions(depends_on=[namespace] if namespace else None), **fields)
    if body["kind"] == "Namespace":
        namespace = created
