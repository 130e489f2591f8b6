"""dev on the real node, as the tutorial runs it, with real pods.

The stack is dev as the e2e suite deploys it, on the stand-in images with
`IfNotPresent` and redis pinned to the real node (node.stack_text); filebeat
runs on both nodes, and really on the real one. In order:

1. `pulumi up` waits on real readiness: the pods were seen unready, and
   were Ready when it returned; or the test fails naming the probe.
2. The tutorial's check: a pod writes numbered lines, filebeat reads them
   from /var/log/containers, finds redis by its Service name (CoreDNS) and
   reaches it through kube-proxy; `kubectl exec` into redis and `redis-cli
   -h redis.<ns>.svc.cluster.local` reads them back, counted.
3. add_kubernetes_metadata added the writer's pod, namespace, labels and node.
4. The security contexts hold in the runtime: the user, no capabilities,
   no privilege escalation, seccomp, a read-only root.
5. The tutorial's rolling update (`kubectl set image`, `pulumi refresh`,
   `up`), watched as `kubectl get pods -w` would: the real pod is replaced
   twice, and its registry carries over, so nothing is shipped twice.
6. `redis.existingSecret`: the stack moved to a Secret of its own; both
   start-up steps (init containers in the stand-in images) run, and lines
   still arrive.
7. OnDelete: after `up`, the real pod keeps the old image until deleted;
   docs/rollouts.md's own script then rolls every node (on_delete.py).

After a failed step the later ones skip; the stack is destroyed, and the
registry folder the kubelet made on the host removed, whatever happened.
"""

import secrets
import time

import pytest
from pulumi import automation as auto

from components.project import PROJECT
from tests.e2e.answers import StepRecorder, op_counts, unexpected_steps
from tests.e2e.cluster import PASSWORD_CONFIG_KEY
from tests.e2e.real_node import lines
from tests.e2e.real_node import node as real
from tests.e2e.real_node.on_delete import run_the_docs_script
from tests.e2e.real_node.pods import container_status, explain_pods, pod_status, real_pod
from tests.e2e.real_node.stack import (
    SENT,
    arrived,
    proc_status,
    read_redis,
    replaced,
    up,
    writer,
)
from tests.e2e.rendered import Rendered
from tests.e2e.test_deploy import no_changes_preview
from tests.e2e.watch import PodWatch

pytestmark = real.marks()


@pytest.fixture(scope="module")
def first_run():
    return f"a{secrets.token_hex(4)}"


def test_up_waits_for_real_readiness(deployment, node):
    command = node.command(["kubectl", "-n", deployment.namespace, "get", "pods", "-o", "json"])
    with PodWatch(command, deployment.rendered.filebeat_container) as watch:
        result = up(node, deployment)
        returned = time.monotonic()
        seen = [e for e in watch.events() if e.node == real.NAME and e.seconds <= returned]
    assert result.summary.result == "succeeded"
    for workload in (deployment.rendered.redis_name, deployment.rendered.daemon_set_name):
        mine = [e for e in seen if e.name.startswith(f"{workload}-")]
        assert mine, f"no {workload} pod on {real.NAME}: {explain_pods(node, deployment)}"
        assert not mine[0].ready, f"{workload}'s pod was Ready when first seen: kwok-like"
        assert mine[-1].ready, f"up returned before {workload}'s pod was Ready"
        status = pod_status(node, deployment, workload)
        assert status["ready"] and status["restartCount"] == 0, status


def test_numbered_lines_reach_redis_as_the_tutorial_reads_them(deployment, node, first_run):
    writer(node, deployment, "writer", first_run)
    counted = arrived(node, deployment, first_run, SENT)
    assert counted == lines.Count(SENT, SENT, 0, 0), str(counted)
    found = lines.of_run(read_redis(node, deployment), first_run)
    assert all(e["log"]["file"]["path"].startswith("/var/log/containers/writer_") for e in found)
    # filebeat's own connection, from its pod on the bridge, through the Service.
    filebeat = real_pod(node, deployment, deployment.rendered.daemon_set_name)
    clients = node.run(deployment.rendered.redis_cli(deployment.context, "CLIENT", "LIST"),
                       check=False)
    assert f"addr={filebeat['status']['podIP']}:" in clients.stdout + clients.stderr, \
        clients.stdout + clients.stderr


def test_filebeat_adds_the_writers_metadata_from_the_api(deployment, node, first_run):
    found = lines.of_run(read_redis(node, deployment), first_run)
    assert found
    for event in found:
        kubernetes = event.get("kubernetes")
        assert kubernetes, f"no kubernetes metadata: {event}"
        assert kubernetes["pod"]["name"] == "writer"
        assert kubernetes["namespace"] == deployment.namespace
        assert kubernetes["labels"] == {"app": "numbered-lines", "run": first_run}
        assert kubernetes["node"]["name"] == real.NAME
        assert kubernetes["container"]["name"] == "main"


@pytest.mark.parametrize("workload", ["redis", "filebeat"])
def test_the_security_contexts_hold_in_the_runtime(deployment, node, workload):
    rendered = deployment.rendered
    manifest = rendered.deployment if workload == "redis" else rendered.daemon_set
    spec = manifest["spec"]["template"]["spec"]
    [container] = spec["containers"]
    context = {**spec.get("securityContext", {}), **container["securityContext"]}
    pod = real_pod(node, deployment, manifest["metadata"]["name"])
    status = proc_status(node, deployment, f"pod/{pod['metadata']['name']}", container["name"])
    assert status["Uid"].split() == [str(context["runAsUser"])] * 4, status["Uid"]
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert status["CapEff"] == status["CapPrm"] == status["CapBnd"] == "0" * 16, status
    assert context["allowPrivilegeEscalation"] is False and status["NoNewPrivs"] == "1"
    assert context["seccompProfile"] == {"type": "RuntimeDefault"} and status["Seccomp"] == "2"
    assert context["readOnlyRootFilesystem"] is True and status["root-write"] != "0", status


def test_the_tutorials_rolling_update_carries_the_registry_over(deployment, node, first_run):
    rendered = deployment.rendered
    ours = rendered.filebeat_image
    drifted = node.tag(ours, f"{ours.rpartition(':')[2]}-set-image")
    during = f"b{secrets.token_hex(4)}"
    command = node.command(rendered.pods_command(deployment.context))
    with PodWatch(command, rendered.filebeat_container) as watch:
        before = real_pod(node, deployment, rendered.daemon_set_name)["metadata"]["name"]
        writer(node, deployment, "ticker", during, every=0.12)  # through both rollouts
        node.kubectl("-n", deployment.namespace, "set", "image",
                     f"daemonset/{rendered.daemon_set_name}",
                     f"{rendered.filebeat_container}={drifted}")
        set_image = replaced(watch, before, drifted)

        assert deployment.stack.refresh(on_output=print).summary.result == "succeeded"
        steps = StepRecorder()
        preview = deployment.stack.preview(diff=True, on_output=print, on_event=steps)
        assert unexpected_steps(steps.changes(), [("DaemonSet", rendered.daemon_set_name)]) == []
        # The field itself, from the live value to the stack's: `image: "<drifted>" => "<ours>"`.
        assert any("image" in line and drifted in line and f'"{ours}"' in line
                   and line.index(drifted) < line.index(f'"{ours}"')
                   for line in preview.stdout.splitlines()), preview.stdout
        result = up(node, deployment)  # fails at a field conflict without
        assert op_counts(result.summary.resource_changes).get("update") == 1  # forceConflicts
        replaced(watch, set_image, ours)
    no_changes_preview(deployment)

    for run in (first_run, during):
        counted = arrived(node, deployment, run, SENT)
        assert counted == lines.Count(SENT, SENT, 0, 0), f"writer {run}: {counted}"
    assert lines.reshipped(read_redis(node, deployment)) == []


def test_an_existing_secret_reaches_both_through_their_start_up_steps(deployment, node):
    """The stack moved to a Secret someone else made: `up` replaces redis
    (Recreate) and rolls filebeat, and each pod's start-up step, an init
    container in the workload's own stand-in image, turns the Secret into the
    files redis and filebeat read. New lines then arrive, once each."""
    password = secrets.token_urlsafe(24)
    node.kubectl("-n", deployment.namespace, "create", "secret", "generic", "logging-redis",
                 f"--from-literal=password={password}")
    deployment.stack.remove_config(PASSWORD_CONFIG_KEY)
    deployment.stack.set_config(f"{PROJECT}:redis.existingSecret.name",
                                auto.ConfigValue(value="logging-redis"), path=True)
    assert up(node, deployment).summary.result == "succeeded"
    deployment.rendered = rendered = Rendered(deployment.stack_file)  # the password moved
    for workload in (rendered.redis_name, rendered.daemon_set_name):
        pod = real_pod(node, deployment, workload)
        started = pod["status"].get("initContainerStatuses") or []
        assert started, f"{workload}'s pod ran no start-up step"
        for step in started:
            done = step["state"].get("terminated") or {}
            assert (done.get("exitCode"), done.get("reason")) == (0, "Completed"), step
        assert container_status(pod)["ready"], explain_pods(node, deployment)
    run = f"s{secrets.token_hex(4)}"
    writer(node, deployment, "after-existing-secret", run)
    assert arrived(node, deployment, run, SENT) == lines.Count(SENT, SENT, 0, 0)


def test_on_delete_changes_nothing_until_the_pod_is_deleted(deployment, node):
    rendered = deployment.rendered
    ours = rendered.filebeat_image
    newer = node.tag(ours, f"{ours.rpartition(':')[2]}-on-delete")
    old = real_pod(node, deployment, rendered.daemon_set_name)
    deployment.stack.set_config(f"{PROJECT}:filebeat.updateStrategy.type",
                                auto.ConfigValue(value="OnDelete"), path=True)
    deployment.use_filebeat_image(newer)
    result = up(node, deployment)
    assert result.summary.result == "succeeded"
    time.sleep(10)  # longer than the rolling update above took to replace it
    still = real_pod(node, deployment, rendered.daemon_set_name)
    assert still["metadata"]["uid"] == old["metadata"]["uid"]
    assert [c["image"] for c in still["spec"]["containers"]] == [ours]

    after = f"c{secrets.token_hex(4)}"
    # Rolled by the doc's own script, over the kwok node and the real one.
    rolled = run_the_docs_script(node, deployment.namespace,
                                 deployment.stack.outputs()["daemonSetNames"].value)
    assert rolled.returncode == 0 and not rolled.stderr, (
        f"{rolled.stdout}{rolled.stderr}\n{explain_pods(node, deployment)}")
    new = real_pod(node, deployment, rendered.daemon_set_name)
    assert new["spec"]["containers"][0]["image"] == newer
    assert container_status(new)["ready"], explain_pods(node, deployment)
    writer(node, deployment, "after-on-delete", after)
    assert arrived(node, deployment, after, SENT) == lines.Count(SENT, SENT, 0, 0)
    assert lines.reshipped(read_redis(node, deployment)) == []
