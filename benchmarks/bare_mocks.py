"""The scaling runs' peer: N plain DaemonSets registered under Pulumi's mocks,
with nothing of ours (no config, no validation, no manifests), so the
difference to our render is what we add per DaemonSet.

    bare_mocks.py N       # prints how many DaemonSets the mocks received
"""

import sys

import pulumi
from pulumi_kubernetes.apps.v1 import DaemonSet, DaemonSetSpecArgs
from pulumi_kubernetes.core.v1 import ContainerArgs, PodSpecArgs, PodTemplateSpecArgs
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs


class Echo(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered: list[str] = []

    def new_resource(self, args):
        self.registered.append(args.typ)
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {}, None


def program(count: int) -> None:
    for n in range(count):
        labels = {"app": "filebeat", "pool": f"pool{n:04}"}
        DaemonSet(f"filebeat-{n}", metadata=ObjectMetaArgs(name=f"filebeat-{n}"),
                  spec=DaemonSetSpecArgs(
                      selector=LabelSelectorArgs(match_labels=labels),
                      template=PodTemplateSpecArgs(
                          metadata=ObjectMetaArgs(labels=labels),
                          spec=PodSpecArgs(containers=[ContainerArgs(
                              name="filebeat", image="docker.elastic.co/beats/filebeat:8.15.3")],
                              node_selector={"pool": f"pool{n:04}"}))))


@pulumi.runtime.test
def run(count: int):
    program(count)


if __name__ == "__main__":
    mocks = Echo()
    pulumi.runtime.set_mocks(mocks, preview=False)
    run(int(sys.argv[1]))
    print(f"{mocks.registered.count('kubernetes:apps/v1:DaemonSet')} DaemonSets")
