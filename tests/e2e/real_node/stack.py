"""What the steps of test_stack.py share: the numbered lines' writers, the
tutorial's read of redis, a pod's status from inside it, a replaced pod in a
watch, and the registry folder the kubelet leaves on the host."""

import shutil
from pathlib import Path

from tests.e2e.real_node import lines
from tests.e2e.real_node import node as real
from tests.e2e.real_node.pods import explain_pods
from tests.e2e.watch import PodWatch

SENT = 300
"""Numbered lines each writer writes."""
ARRIVE_SECONDS = 120
ROLL_SECONDS = 180
REGISTRY_ROOT = Path("/var/lib/redis-filebeat")


def up(node, stack):
    """`pulumi up`; when it fails, the pods' warnings and restarts say why."""
    try:
        return stack.stack.up(on_output=print)
    except Exception as error:
        raise AssertionError(f"pulumi up failed:\n{explain_pods(node, stack)}\n"
                             f"{str(error)[-2000:]}") from error


def registry_folder(stack) -> Path:
    pod = stack.rendered.daemon_set["spec"]["template"]["spec"]
    [path] = [v["hostPath"]["path"] for v in pod["volumes"] if v["name"] == "registry"]
    assert Path(path).is_relative_to(REGISTRY_ROOT), path  # host_state watches that folder
    return Path(path)


def remove_registry(registry: Path) -> None:
    """The kubelet made it (DirectoryOrCreate), and nothing else removes it."""
    shutil.rmtree(registry, ignore_errors=True)
    for parent in registry.parents:
        if parent == REGISTRY_ROOT.parent:
            break
        if parent.exists():  # not if no pod ever ran there
            if any(parent.iterdir()):
                break
            parent.rmdir()


def read_redis(node, stack) -> list[dict]:
    """The tutorial's way: `kubectl exec` into redis, `redis-cli -h` the Service's name."""
    rendered = stack.rendered
    answer = node.run(rendered.redis_cli(stack.context, "LRANGE", rendered.key, "0", "-1",
                                         host=rendered.service_host), timeout=60)
    return lines.events(answer.stdout)


def arrived(node, stack, run: str, sent: int) -> lines.Count:
    """Waits until all `sent` lines of `run` are in redis (or the deadline), then counts."""
    last = lines.Count(sent, 0, sent, 0)

    def complete():
        nonlocal last
        last = lines.count(read_redis(node, stack), run, sent)
        return last.lost == 0

    try:
        node.until(f"{sent} lines of writer {run} in redis", complete, ARRIVE_SECONDS)
    except AssertionError:
        pass  # the count says what is missing
    print(f"writer {run}: {last}")
    return last


def writer(node, stack, name: str, run: str, every: float = 0) -> dict:
    pod = real.pod(name, stack.namespace, node.images["redis"], "IfNotPresent",
                   command=["sh", "-c", lines.script(run, SENT, every)],
                   labels={"app": "numbered-lines", "run": run}, grace=1)
    node.apply(pod)
    return pod


def proc_status(node, deployment, target: str, container: str) -> dict[str, str]:
    run = node.kubectl("-n", deployment.namespace, "exec", target, "-c", container, "--",
                       "sh", "-c", "cat /proc/1/status; touch /written-by-the-test 2>&1; "
                       "echo root-write=$?")
    fields = dict(line.split(":", 1) for line in run.stdout.splitlines() if ":" in line)
    fields = {k: v.strip() for k, v in fields.items()}
    fields["root-write"] = run.stdout.rpartition("root-write=")[2].strip()
    return fields


def replaced(watch: PodWatch, old: str, image: str) -> str:
    """Waits for the real node's pod `old` to be deleted and a pod of `image`
    to be Ready there; returns the new pod's name."""
    def done(events):
        on_node = [e for e in events if e.node == real.NAME]
        gone = any(e.name == old and e.type == "DELETED" for e in on_node)
        last = {e.name: e for e in on_node}
        new = [n for n, e in last.items() if n != old and e.image == image and e.ready
               and not e.terminating and e.type != "DELETED"]
        return gone and new
    assert watch.wait_for(done, ROLL_SECONDS), \
        f"{old} was not replaced by a Ready pod of {image} within {ROLL_SECONDS} s"
    last = {e.name: e for e in watch.events() if e.node == real.NAME}
    [new] = [n for n, e in last.items() if n != old and e.image == image and e.ready
             and e.type != "DELETED"]
    return new
