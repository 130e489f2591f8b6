"""What the end-to-end suite needs from the machine and from the rendered stack.

Kept apart from the suite so the unit run can test it here, where there is
neither a Pulumi CLI nor a cluster: the skip reasons, the stack file the
suite deploys, the names and commands it reads from that stack's render,
and how it reads the engine's answers and kubectl's.
"""

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.stack.model import PASSWORD_KEY
from components.project import PROJECT
from components.render.manifests import Manifest
from components.render.renderer import render_stack_file
from components.review.pairing import compare
from components.workloads.redis.conf import PASSWORD_FILE, STARTUP_AUTH_DIR

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


class Rendered:
    """The names the suite looks for, read from the stack's own render rather
    than typed again: the redis key, db, port and password file, the
    workloads, their containers and selectors."""

    def __init__(self, stack_file: Path):
        manifests = render_stack_file(stack_file).manifests
        self.items: tuple[Manifest, ...] = manifests.objects
        [self.daemon_set] = manifests["DaemonSet"].values()
        [self.deployment] = manifests["Deployment"].values()
        self.namespace: str = self.deployment["metadata"]["namespace"]
        self.daemon_set_name: str = self.daemon_set["metadata"]["name"]
        self.redis_name: str = self.deployment["metadata"]["name"]

        filebeat_pod = self.daemon_set["spec"]["template"]["spec"]
        [filebeat] = filebeat_pod["containers"]
        self.filebeat_container: str = filebeat["name"]
        self.filebeat_image: str = filebeat["image"]
        [config_volume] = [v for v in filebeat_pod["volumes"] if v["name"] == "config"]
        config_map = manifests["ConfigMap"][config_volume["configMap"]["name"]]
        output = yaml.safe_load(config_map["data"]["filebeat.yml"])["output.redis"]
        self.key: str = output["key"]
        self.db: int = output.get("db", 0)

        redis_pod = self.deployment["spec"]["template"]["spec"]
        [redis] = redis_pod["containers"]
        self.redis_container: str = redis["name"]
        self.redis_port: int = redis["ports"][0]["containerPort"]
        self.password_file = _password_file(redis, redis_pod["volumes"],
                                            manifests.get("Secret", {}))
        labels = self.deployment["spec"]["template"]["metadata"]["labels"]
        [service] = [s for s in manifests["Service"].values()
                     if s["spec"].get("selector", {}).items() <= labels.items()
                     and any(p.get("targetPort") in (self.redis_port, "redis")
                             for p in s["spec"]["ports"])]
        self.service_host = f"{service['metadata']['name']}.{self.namespace}.svc.cluster.local"
        self.service_port: int = service["spec"]["ports"][0]["port"]

    # Commands run against the cluster.

    def _kubectl(self, context: str) -> list[str]:
        return ["kubectl", "--context", context, "-n", self.namespace]

    def redis_cli(self, context: str, *args: str, host: str | None = None) -> list[str]:
        """redis-cli inside the redis pod, authenticated the way its probes are:
        the password is read from the mounted file, never put on a command line.
        With `host`, through that name, as the tutorial asks the Service's."""
        port = self.service_port if host else self.redis_port
        script = (f'REDISCLI_AUTH="$(cat {shlex.quote(self.password_file)})" '
                  + (f"redis-cli -h {shlex.quote(host)} " if host else "redis-cli ")
                  + f"-p {port} -n {self.db} "
                  + " ".join(shlex.quote(a) for a in args))
        return [*self._kubectl(context), "exec", f"deploy/{self.redis_name}",
                "-c", self.redis_container, "--", "sh", "-c", script]

    def rollout_command(self, context: str, timeout_seconds: int) -> list[str]:
        return [*self._kubectl(context), "rollout", "status",
                f"daemonset/{self.daemon_set_name}", f"--timeout={timeout_seconds}s"]

    def pods_command(self, context: str) -> list[str]:
        return [*self._kubectl(context), "get", "pods", "-l", selector(self.daemon_set),
                "-o", "json"]

    def daemon_set_command(self, context: str) -> list[str]:
        return [*self._kubectl(context), "get", f"daemonset/{self.daemon_set_name}",
                "-o", "json"]

    def cleanup_commands(self, context: str) -> list[str]:
        """What removes the stack by hand when `pulumi destroy` could not:
        the namespace takes every namespaced object with it."""
        cluster_wide = [m for m in self.items if m.namespace is None and m.kind != "Namespace"]
        commands = [["kubectl", "--context", context, "delete", "namespace", self.namespace,
                     "--ignore-not-found"]]
        commands += [["kubectl", "--context", context, "delete", m.kind.lower(), m.name,
                      "--ignore-not-found"] for m in cluster_wide]
        return [shlex.join(c) for c in commands]


def selector(workload: Mapping[str, Any]) -> str:
    """A Deployment's or DaemonSet's pod selector, as `kubectl get -l` takes it."""
    labels = workload["spec"]["selector"]["matchLabels"]
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _password_file(container: Mapping[str, Any], volumes: Sequence[Mapping[str, Any]],
                   secrets: Mapping[str, Mapping[str, Any]]) -> str:
    """The file the redis pod reads its password from: the Secret's password
    key where the container mounts it (the folder, or the file by subPath), or, with
    redis.existingSecret, the folder its start-up step writes."""
    by_name = {v["name"]: v for v in volumes}
    for mount in container.get("volumeMounts", []):
        secret = by_name[mount["name"]].get("secret")
        if secret and PASSWORD_FILE in secrets.get(secret["secretName"], {}).get(
                "stringData", {}):
            if "subPath" not in mount:
                return f"{mount['mountPath'].rstrip('/')}/{PASSWORD_FILE}"
            if mount["subPath"] == PASSWORD_FILE:  # the file itself, as it was at start
                return mount["mountPath"]
        if mount["mountPath"] == STARTUP_AUTH_DIR:
            return f"{STARTUP_AUTH_DIR}/{PASSWORD_FILE}"
    raise LookupError("the redis container mounts no Secret holding the password; "
                      "is auth off in this stack?")


def predicted_changes(before: Path, after: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """What our offline diff says going from one stack file to the other does
    to the cluster: {(kind, name): impacts}."""
    diffs = compare(render_stack_file(before).manifests.objects,
                    render_stack_file(after).manifests.objects)
    return {(d.change.latest.kind, d.change.latest.name): d.impacts
            for d in diffs}


def set_filebeat_image(stack_text: str, image: str) -> str:
    """The stack file after `pulumi config set --path redis-filebeat:filebeat.image`,
    for predicting offline what the engine is about to see."""
    document = yaml.safe_load(stack_text)
    document["config"][f"{PROJECT}:filebeat"]["image"] = image
    return yaml.safe_dump(document, sort_keys=False)


# Reading the engine's answers.

def op_counts(op_map: Mapping[Any, int] | None) -> dict[str, int]:
    """A change summary with plain string keys ("update"), whichever form the
    SDK hands over (it passes the engine's JSON keys through as they came)."""
    return {getattr(op, "value", op): n for op, n in (op_map or {}).items()}


@dataclass(frozen=True)
class Step:
    """One step the engine planned or took: `update`, `kubernetes:apps/v1:DaemonSet`, `filebeat`."""

    op: str
    type: str
    name: str
    urn: str

    @property
    def kind(self) -> str:
        return self.type.rpartition(":")[2]


class StepRecorder:
    """An `on_event` callback that keeps every step the engine announces, so
    a test can say which resources change and how, not only how many."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __call__(self, event: Any) -> None:
        pre = getattr(event, "resource_pre_event", None)
        if pre is None:
            return
        meta = pre.metadata
        self.steps.append(Step(getattr(meta.op, "value", meta.op), meta.type,
                               meta.urn.rpartition("::")[2], meta.urn))

    def changes(self) -> list[Step]:
        """Every step that does something, Kubernetes objects or not."""
        return [s for s in self.steps if s.op not in ("same", "read")]


def unexpected_steps(changes: Iterable[Step], predicted: Iterable[tuple[str, str]]) -> list[str]:
    """The engine's changes that are not an in-place update of a predicted object,
    and the predicted objects the engine does not update, one line each."""
    predicted = set(predicted)
    problems = [f"{s.op} {s.type} {s.name}" for s in changes
                if s.op != "update" or (s.kind, s.name) not in predicted]
    updated = {(s.kind, s.name) for s in changes if s.op == "update"}
    problems += [f"no update of {kind} {name}" for kind, name in sorted(predicted - updated)]
    return problems


# Reading kubectl's answers.

def running_images(pods_json: str, container: str) -> list[str]:
    """The image of `container` in every pod that is not on its way out.

    Right after a rollout the old pods may still be terminating, and they
    still run the old image: they are not what the DaemonSet now runs.
    """
    pods = json.loads(pods_json)["items"]
    return sorted(c["image"] for pod in pods if not pod["metadata"].get("deletionTimestamp")
                  for c in pod["spec"]["containers"] if c["name"] == container)


def desired_pods(daemon_set_json: str) -> int:
    return json.loads(daemon_set_json)["status"].get("desiredNumberScheduled", 0)


def filebeat_event(entry: str) -> dict[str, Any]:
    """One redis entry as the filebeat event it must be, or ValueError saying why not."""
    try:
        event = json.loads(entry)
    except json.JSONDecodeError:
        raise ValueError(f"not JSON: {entry[:200]!r}") from None
    if not isinstance(event, dict):
        raise ValueError(f"not a JSON object: {entry[:200]!r}")
    agent = event.get("agent")
    if not isinstance(agent, dict) or agent.get("type") != "filebeat":
        raise ValueError(f"not written by filebeat (agent {agent!r}): {entry[:200]!r}")
    missing = [key for key in ("@timestamp", "message") if key not in event]
    if missing:
        raise ValueError(f"a filebeat event without {', '.join(missing)}: {entry[:200]!r}")
    return event
