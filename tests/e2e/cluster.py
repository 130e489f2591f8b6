"""What the end-to-end suite needs from the machine and from the rendered stack.

Kept apart from the suite so the unit run can test it here, where there is
neither a Pulumi CLI nor a cluster: the skip reasons, the stack file the
suite deploys, and the commands it runs inside the cluster.
"""

import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

from components.render import render_stack_file

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "stacks" / "Pulumi.dev.yaml"
PROJECT = "redis-filebeat"


def missing_tools() -> str | None:
    """Why the suite cannot run here, or None when it can."""
    if not shutil.which("pulumi"):
        return ("the pulumi CLI is not on PATH; install it "
                "(https://www.pulumi.com/docs/install/) to run the e2e suite")
    if not shutil.which("kubectl"):
        return "kubectl is not on PATH; the e2e suite reads the cluster through it"
    context = current_context()
    if context is None:
        return "kubectl has no current context; create a cluster first: kind create cluster"
    probe = subprocess.run(["kubectl", "--context", context, "version", "--request-timeout=10s"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"the cluster of kube context {context!r} does not answer: {reason}"
    return None


def current_context() -> str | None:
    result = subprocess.run(["kubectl", "config", "current-context"],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def e2e_stack_text(namespace: str, context: str) -> str:
    """The dev stack file, moved to its own namespace and the current context,
    so the suite never touches a real deployment."""
    document = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    config = document["config"]
    config["kubernetes:context"] = context
    config[f"{PROJECT}:namespace"] = namespace
    config[f"{PROJECT}:createNamespace"] = True
    return "# Written by tests/e2e for one run, and removed after it.\n" + \
        yaml.safe_dump(document, sort_keys=False)


class Rendered:
    """The names the suite looks for, read from the stack's own render rather
    than typed again: the redis key, port and password file, the workloads."""

    def __init__(self, stack_file: Path):
        manifests = render_stack_file(stack_file).manifests
        [self.daemon_set] = manifests["DaemonSet"].values()
        [self.deployment] = manifests["Deployment"].values()
        [config_map] = [c for name, c in manifests["ConfigMap"].items()
                        if name.startswith("filebeat")]
        filebeat_yml = yaml.safe_load(config_map["data"]["filebeat.yml"])
        self.key = filebeat_yml["output.redis"]["key"]
        self.namespace = self.deployment["metadata"]["namespace"]
        [redis] = self.deployment["spec"]["template"]["spec"]["containers"]
        self.redis_container = redis["name"]
        self.redis_port = redis["ports"][0]["containerPort"]
        [auth] = [m for m in redis["volumeMounts"] if m["name"] == "auth"]
        self.password_file = f"{auth['mountPath']}/password"

    def llen_command(self, context: str) -> list[str]:
        """`LLEN <key>` inside the redis pod, authenticated the way its probes are."""
        script = (f'REDISCLI_AUTH="$(cat {shlex.quote(self.password_file)})" '
                  f"redis-cli -p {self.redis_port} LLEN {shlex.quote(self.key)}")
        return ["kubectl", "--context", context, "-n", self.namespace, "exec",
                f"deploy/{self.deployment['metadata']['name']}", "-c", self.redis_container,
                "--", "sh", "-c", script]

    def rollout_command(self, context: str, timeout_seconds: int) -> list[str]:
        return ["kubectl", "--context", context, "-n", self.namespace, "rollout", "status",
                f"daemonset/{self.daemon_set['metadata']['name']}",
                f"--timeout={timeout_seconds}s"]

    def pod_images_command(self, context: str) -> list[str]:
        labels = self.daemon_set["spec"]["selector"]["matchLabels"]
        selector = ",".join(f"{k}={v}" for k, v in labels.items())
        return ["kubectl", "--context", context, "-n", self.namespace, "get", "pods",
                "-l", selector, "-o", "jsonpath={.items[*].spec.containers[*].image}"]
