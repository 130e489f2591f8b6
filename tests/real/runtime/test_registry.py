"""Where filebeat keeps its registry decides what a new pod ships again.

On the node (`registryHostPath`, the default) a new pod resumes where the
old one stopped. On an emptyDir (`registryHostPath: null`) the registry dies
with the pod, and the new one reads every retained log from the start:
everything is shipped again (README, "Known limits").
"""

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered
from tests.real.runtime.shipping import base, counted, messages, started


def replaced_pod(pipeline, node, registry_host_path: str | None | bool, case: str):
    config = base() if registry_host_path is True else base(registryHostPath=registry_host_path)
    pipe = started(pipeline(config))
    log = ContainerLog(node.root, "registry-1")
    sent = numbered(case, 5_000, width=200)
    log.write(sent[:4_000])
    pipe.wait_message(sent[3_999])
    pipe.filebeat.stop()  # SIGTERM, as a rolling update or a drain deletes the pod
    log.write(sent[4_000:])
    pipe.filebeat = pipe.new_filebeat()
    pipe.filebeat.start()
    pipe.wait_message(sent[-1])
    return counted(case, len(sent), messages(pipe))


def test_a_registry_on_the_node_carries_over_to_the_next_pod(pipeline, node):
    result = replaced_pod(pipeline, node, True, "registry on the node")
    assert (result.lost, result.duplicated) == (0, 0), result


def test_a_registry_on_an_emptydir_ships_everything_again(pipeline, node):
    result = replaced_pod(pipeline, node, None, "registry on an emptyDir")
    assert result.lost == 0, result
    assert result.duplicated == 4_000, result  # every line the old pod had shipped


def test_a_second_filebeat_on_the_same_registry_is_locked_out(pipeline, node):
    """What `diff` warns of when a change puts new DaemonSets on an old one's
    registry (docs/rollouts.md#a-new-daemonset-on-an-old-ones-node-directory):
    the new pod stops at start, and the old one ships on."""
    pipe = started(pipeline(base()))
    log = ContainerLog(node.root, "locked-1")
    sent = numbered("registry locked", 2_000, width=200)
    log.write(sent[:1_000])
    pipe.wait_message(sent[999])
    second = pipe.new_filebeat()
    second.initialize()
    newcomer = second["filebeat"]
    newcomer.start()
    assert newcomer.process is not None
    newcomer.process.wait(timeout=30)
    assert newcomer.process.returncode != 0, newcomer.output()
    assert "data path already locked by another beat" in newcomer.output(), newcomer.output()
    log.write(sent[1_000:])
    pipe.wait_message(sent[-1])
    result = counted("registry locked", len(sent), messages(pipe))
    assert (result.lost, result.duplicated) == (0, 0), result
