"""The component package (provider/) from a Pulumi YAML program, under the real CLI.

A `runtime: yaml` project outside the repository names provider/ in its
Pulumi.yaml `packages:` and declares one `redis-filebeat:index:Stack` with
dev's redis and filebeat settings. The CLI runs it with pulumi-language-yaml
(toolchain/build pulumi-yaml); the engine runs the package through our
Python language host (RunPlugin) with provider/.venv's Python, which .ci/run
creates (as `pulumi install` would, but with pulumi-yaml v1.25.0 `install` and
`package add` both stop at `linking package: method Link not implemented`,
docs/library.md).

The steps run in order on one stack: preview, up, what kubectl sees against
the offline render of the same config, the outputs, and destroy; then, on a
stack of its own, a bad input refused in one line.
"""

import json
import os
import shutil
import subprocess

import pytest
import yaml
from pulumi import automation as auto

from components.project import PROJECT
from tests.configs import render_config
from tests.e2e.cluster import DEV, ROOT, current_context, unavailable
from tests.e2e.stack import ThrowawayStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PROVIDER = ROOT / "provider"
TYPE = f"{PROJECT}:index:Stack"


def component_inputs(namespace: str) -> dict:
    """dev's stack config as the component's inputs (its keys, without the prefix)."""
    config = yaml.safe_load(DEV.read_text(encoding="utf-8"))["config"]
    return {"namespace": namespace, "createNamespace": True,
            "redis": config[f"{PROJECT}:redis"], "filebeat": config[f"{PROJECT}:filebeat"]}


def yaml_program(inputs: dict) -> str:
    """A Pulumi YAML project using the component, its password from a secret config value."""
    project = {
        "name": "logs-yaml",
        "runtime": "yaml",
        "stackConfigDir": "stacks",
        "packages": {PROJECT: str(PROVIDER)},
        "config": {"redisPassword": {"type": "string", "secret": True}},
        "resources": {"logs": {"type": TYPE, "properties": {
            **inputs, "redisPassword": "${redisPassword}"}}},
        "outputs": {"redisHost": "${logs.redisHost}", "redisPort": "${logs.redisPort}",
                    "daemonSetNames": "${logs.daemonSetNames}",
                    "namespace": "${logs.namespace}"},
    }
    return yaml.safe_dump(project, sort_keys=False)


def yaml_stack(tmp_path, name: str, inputs_for) -> ThrowawayStack:
    if not shutil.which("pulumi-language-yaml"):
        unavailable("pulumi-language-yaml is not on PATH; build it: toolchain/build pulumi-yaml")
    if not os.access(PROVIDER / ".venv" / "bin" / "python", os.X_OK):
        # Else the host would run the package with its own Python, not the package's.
        unavailable("the component package has no virtualenv: python3 -m venv provider/.venv "
                    "&& provider/.venv/bin/pip install -r provider/requirements.txt")
    project = tmp_path / name
    (project / "stacks").mkdir(parents=True)
    (tmp_path / f"{name}-state").mkdir()
    stack = ThrowawayStack(tmp_path / f"{name}-state", current_context() or "local",
                           root=project)
    (project / "Pulumi.yaml").write_text(yaml_program(inputs_for(stack.namespace)))
    stack.create(f"config:\n  kubernetes:context: {stack.context}\n", render=False)
    assert stack.stack is not None and stack.password is not None
    stack.stack.set_config("redisPassword", auto.ConfigValue(value=stack.password, secret=True))
    return stack


@pytest.fixture(scope="module")
def deployment(cluster, tmp_path_factory):
    stack = yaml_stack(tmp_path_factory.mktemp("yaml"), "logs", component_inputs)
    try:
        yield stack
    finally:
        stack.tear_down(on_output=lambda line: None)


def expected(namespace: str):
    """What `build` makes of the same config: the offline render."""
    inputs = component_inputs(namespace)
    return render_config({key: inputs[key] for key in ("namespace", "createNamespace",
                                                        "redis", "filebeat")}).manifests


def kubectl_json(context: str, kind: str, name: str, namespace: str) -> dict:
    result = subprocess.run(["kubectl", "--context", context, "-n", namespace, "get", kind,
                             name, "-o", "json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_preview_plans_the_component_and_its_objects(deployment):
    result = deployment.cli("preview", "--diff", timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert TYPE in output, output
    for kind in ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:DaemonSet",
                 "kubernetes:core/v1:Service"):
        assert kind in output, output


def test_up_creates_them(deployment):
    result = deployment.cli("up", "--yes", "--skip-preview", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cluster_holds_what_build_makes_of_the_same_config(deployment):
    namespace, context = deployment.namespace, deployment.context
    want = expected(namespace)
    [redis] = want["Deployment"].values()
    [service] = want["Service"].values()
    [filebeat] = want["DaemonSet"].values()

    deployed = kubectl_json(context, "deployment", redis["metadata"]["name"], namespace)
    assert deployed["spec"]["replicas"] == redis["spec"]["replicas"]
    assert deployed["spec"]["selector"] == redis["spec"]["selector"]
    assert [(c["name"], c["image"]) for c in deployed["spec"]["template"]["spec"]["containers"]] \
        == [(c["name"], c["image"]) for c in redis["spec"]["template"]["spec"]["containers"]]

    svc = kubectl_json(context, "service", service["metadata"]["name"], namespace)
    assert [(p["name"], p["port"]) for p in svc["spec"]["ports"]] == \
        [(p["name"], p["port"]) for p in service["spec"]["ports"]]
    assert svc["spec"]["selector"] == service["spec"]["selector"]

    ds = kubectl_json(context, "daemonset", filebeat["metadata"]["name"], namespace)
    assert ds["spec"]["updateStrategy"] == {**ds["spec"]["updateStrategy"],
                                            **filebeat["spec"]["updateStrategy"]}
    template = ds["spec"]["template"]["spec"]
    assert template["nodeSelector"] == filebeat["spec"]["template"]["spec"]["nodeSelector"]
    assert [c["image"] for c in template["containers"]] == \
        [c["image"] for c in filebeat["spec"]["template"]["spec"]["containers"]]
    # The password reached the pods only through Secrets, as the Python program's does.
    secrets = {v["secret"]["secretName"] for v in template["volumes"] if "secret" in v}
    assert secrets, template["volumes"]


def test_the_outputs_are_the_components(deployment):
    result = deployment.cli("stack", "output", "--json")
    assert result.returncode == 0, result.stderr
    outputs = json.loads(result.stdout)
    want = expected(deployment.namespace)
    [service] = want["Service"].values()
    [filebeat] = want["DaemonSet"].values()
    assert outputs == {
        "namespace": deployment.namespace,
        "redisHost": f"{service['metadata']['name']}.{deployment.namespace}.svc.cluster.local",
        "redisPort": service["spec"]["ports"][0]["port"],
        "daemonSetNames": [filebeat["metadata"]["name"]],
    }


def test_destroy_removes_them(deployment):
    namespace, context = deployment.namespace, deployment.context
    deployment.tear_down(on_output=lambda line: None)
    left = subprocess.run(["kubectl", "--context", context, "get", "namespace", namespace,
                           "-o", "jsonpath={.status.phase}"],
                          capture_output=True, text=True, timeout=60)
    # Gone, or on its way out (a namespace is Terminating until its contents are).
    assert left.returncode != 0 or left.stdout == "Terminating", left.stdout


def test_a_bad_input_is_one_line_naming_the_key(cluster, tmp_path):
    def bad(namespace: str) -> dict:
        inputs = component_inputs(namespace)
        inputs["filebeat"] = {**inputs["filebeat"],
                              "updateStrategy": {"type": "OnDelete", "maxSurge": 1}}
        return inputs

    stack = yaml_stack(tmp_path, "bad", bad)
    try:
        result = stack.cli("preview", timeout=900)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        # The CLI prints it as it happens and again under Diagnostics.
        problems = {line[line.index("error: "):] for line in output.splitlines()
                    if "has a problem" in line}
        assert problems == {
            f"error: {TYPE} resource 'logs' has a problem: filebeat.updateStrategy.maxSurge: "
            "is not allowed with type OnDelete: pods are replaced only when you delete them, "
            "so there is no rollout to tune"}, output
        assert "Traceback" not in output, output
    finally:
        stack.tear_down(on_output=lambda line: None)
