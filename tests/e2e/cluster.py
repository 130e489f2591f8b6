"""What the end-to-end suite needs from the machine, and the stack file it deploys.

Kept apart from the suite so the unit run can test it here, where there is
neither a Pulumi CLI nor a cluster: the skip reasons, and the stack file.
What the suite reads from that stack's render is in rendered.py; how it reads
the engine's answers and kubectl's, in answers.py.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from components.config.stack.model import PASSWORD_KEY
from components.project import PROJECT

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "stacks" / "Pulumi.dev.yaml"
PASSWORD_CONFIG_KEY = f"{PROJECT}:{PASSWORD_KEY}"
IMAGE_CONFIG_PATH = f"{PROJECT}:filebeat.image"
"""`pulumi config set --path` syntax for the filebeat image."""
PROBE_SECONDS = 30
"""How long the skip check waits for kubectl, and kubectl for the API server."""


SIMULATED_TOOLS = ("pulumi-language-python", "pulumi-resource-kubernetes",
                   "kube-apiserver", "etcd", "kwok")
"""What the simulated cluster and the offline engine need on PATH besides
pulumi and kubectl: toolchain/build puts them there."""
FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"


def unavailable(reason: str) -> None:
    """Skip the suite with its reason, or fail with it when E2E_REQUIRED=1
    (in CI, where a suite that skips would pass by doing nothing)."""
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Cluster:
    kubeconfig: Path
    simulated: bool
    """kwok's: pods turn Running and Ready, but no container runs."""


def is_simulated(started: bool, timeout: float = PROBE_SECONDS) -> bool:
    """We started it (toolchain/cluster), or its nodes are kwok's fake ones."""
    if started:
        return True
    nodes = subprocess.run(["kubectl", "get", "nodes", "-o", "json"],
                           capture_output=True, text=True, timeout=timeout)
    if nodes.returncode != 0:
        return False
    return any(n["metadata"].get("annotations", {}).get(FAKE_NODE_ANNOTATION) == "fake"
               for n in json.loads(nodes.stdout)["items"])


def missing_tools(timeout: float = PROBE_SECONDS, simulated: bool = False,
                  check_cluster: bool = True) -> str | None:
    """Why the suite cannot run here, or None when it can."""
    if not shutil.which("pulumi"):
        return ("the pulumi CLI is not on PATH; install it "
                "(https://www.pulumi.com/docs/install/) to run the e2e suite")
    if not shutil.which("kubectl"):
        return "kubectl is not on PATH; the e2e suite reads the cluster through it"
    if simulated:
        absent = [t for t in SIMULATED_TOOLS if not shutil.which(t)]
        if absent:
            return (f"{', '.join(absent)} not on PATH, which the simulated cluster needs: "
                    'export PATH="$(toolchain/build | tail -1):$PATH" '
                    "(or set E2E_KUBECONFIG to a cluster of your own)")
    if not check_cluster:
        return None
    try:
        context = current_context(timeout)
    except subprocess.TimeoutExpired:
        return f"`kubectl config current-context` did not return within {timeout:g} s"
    if context is None:
        return "kubectl has no current context; create a cluster first: kind create cluster"
    command = ["kubectl", "--context", context, "version",
               f"--request-timeout={max(1, int(timeout) // 3)}s"]
    try:
        probe = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"the cluster of kube context {context!r} did not answer within {timeout:g} s"
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"the cluster of kube context {context!r} does not answer: {reason}"
    return None


def current_context(timeout: float = PROBE_SECONDS) -> str | None:
    result = subprocess.run(["kubectl", "config", "current-context"],
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def e2e_stack_text(namespace: str, context: str, dev: Path = DEV) -> str:
    """The dev stack file, moved to the current context and to its own namespace.

    Everything else stays dev's, except what two deployments on one cluster
    would share: the namespace. The node directory of filebeat's registry
    (which two filebeats refuse to share) and the ClusterRole are named after
    the namespace by default, so a real dev deployment may run beside it.
    """
    document = yaml.safe_load(dev.read_text(encoding="utf-8"))
    config = document["config"]
    config["kubernetes:context"] = context
    config[f"{PROJECT}:namespace"] = namespace
    config[f"{PROJECT}:createNamespace"] = True
    return "# Written by tests/e2e for one run, and removed after it.\n" + \
        yaml.safe_dump(document, sort_keys=False)


def set_filebeat_image(stack_text: str, image: str) -> str:
    """The stack file after `pulumi config set --path redis-filebeat:filebeat.image`,
    for predicting offline what the engine is about to see."""
    document = yaml.safe_load(stack_text)
    document["config"][f"{PROJECT}:filebeat"]["image"] = image
    return yaml.safe_dump(document, sort_keys=False)
