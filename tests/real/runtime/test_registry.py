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
