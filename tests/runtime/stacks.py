"""The committed stacks' configs, as their stack files hold them."""

import yaml

from components.project import PROJECT
from tests.configs import ROOT, STACKS


def stack_config(stack: str) -> dict:
    """A stack file's `config:`, our project's keys without their prefix."""
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    values = yaml.safe_load(text)["config"]
    return {k.partition(":")[2]: v for k, v in values.items() if k.startswith(f"{PROJECT}:")}


def filebeat_daemonsets(manifests) -> list[str]:
    return [name for name, ds in manifests["DaemonSet"].items()
            if any(c["name"] == "filebeat" for c in ds["spec"]["template"]["spec"]["containers"])]


__all__ = ["STACKS", "filebeat_daemonsets", "stack_config"]
