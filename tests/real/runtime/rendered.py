"""A stack rendered for running: its manifests, with the Secrets' values open.

The offline renderer prints every secret as `[secret]`, as it must. A test
that runs the pods needs what the kubelet would mount, so this opens them,
for the test's eyes only.
"""

import base64
from dataclasses import dataclass
from typing import Any

from components.project import RawConfig
from components.render.capture import _SECRET_SIG, _SIG_KEY, from_capture
from components.render.manifests import Manifests
from components.render.mockrun import run_with_mocks
from components.render.renderer import raw_config
from components.workloads.program import main


def _opened(value: Any) -> Any:
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        return _opened(value["value"])
    if isinstance(value, dict):
        return {k: _opened(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Rendered:
    manifests: Manifests
    secrets: dict[str, dict[str, str]]
    """Each Secret's files by name, as the kubelet writes them."""

    def pod_spec(self, kind: str, name: str) -> dict[str, Any]:
        return self.manifests[kind][name]["spec"]["template"]["spec"]

    def config_map(self, name: str) -> dict[str, str]:
        return dict(self.manifests["ConfigMap"][name].get("data", {}))

    def existing_secrets(self, value: str) -> None:
        """Make the Secrets the pods mount but the stack does not hold
        (`existingSecret`), with `value` under each key they read."""
        for kind in ("Deployment", "DaemonSet"):
            for name in self.manifests.get(kind, {}):
                for volume in self.pod_spec(kind, name).get("volumes", []):
                    source = volume.get("secret")
                    if source and source["secretName"] not in self.secrets:
                        self.secrets[source["secretName"]] = {
                            item["key"]: value for item in source.get("items", [])}


def render(config: dict, secrets: dict[str, str] | None = None) -> Rendered:
    """Run the program under mocks, as `render` does, and keep the secrets."""
    return render_raw(raw_config(config, secrets or {}))


def render_raw(raw: RawConfig) -> Rendered:
    """The same, from the engine's view of a stack (strings and secret keys)."""
    capture = run_with_mocks(main, "test", raw)
    files: dict[str, dict[str, str]] = {}
    for resource in capture.resources:
        if resource.type.rsplit(":", 1)[-1] != "Secret":
            continue
        inputs = _opened(resource.inputs)
        data = {k: base64.b64decode(v).decode() for k, v in (inputs.get("data") or {}).items()}
        name = (inputs.get("metadata") or {}).get("name") or resource.name
        files[name] = {**data, **(inputs.get("stringData") or {})}
    return Rendered(from_capture(capture.resources), files)
