"""A program of plain pulumi_kubernetes resources, nothing of ours, for the
policy pack's e2e test: with `probe:clean` false each object breaks one of
the pack's rules; with it true, the same objects keep every rule."""

import pulumi
from pulumi_kubernetes.apps.v1 import DaemonSet, Deployment

CLEAN = pulumi.Config("probe").get_bool("clean") or False
LABELS = {"app.kubernetes.io/name": "probe"}
SECURE = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
          "readOnlyRootFilesystem": True, "privileged": False}
POD_SECURITY = {"seccompProfile": {"type": "RuntimeDefault"}}
LIMITS = {"limits": {"memory": "64Mi"}}


def container(name: str, **extra) -> dict:
    return {"name": name, "image": "busybox:1.36", "securityContext": SECURE,
            "resources": LIMITS, **extra}


def daemon_set(name: str, strategy: dict, pod: dict, annotations: dict | None = None) -> None:
    labels = {**LABELS, "probe": name}
    DaemonSet(name, metadata={"name": name, "annotations": annotations},
              spec={"selector": {"matchLabels": labels}, "updateStrategy": strategy,
                    "template": {"metadata": {"labels": labels},
                                 "spec": {"securityContext": POD_SECURITY, **pod}}})


# Rolls by surge (unless clean): the new pod beside the old on each node.
surge = ({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
         if CLEAN else
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
daemon_set("surge-hostport", surge, {"containers": [
    container("agent", ports=[{"containerPort": 9000, "hostPort": 9000}])]})
daemon_set("surge-hostpath", surge, {
    "containers": [container("agent", volumeMounts=[{"name": "state", "mountPath": "/state"}])],
    "volumes": [{"name": "state", "hostPath": {"path": "/var/lib/probe"}}]})
daemon_set("on-delete", {"type": "OnDelete"}, {"containers": [container("agent")]},
           {"pulumi.com/skipAwait": "true"} if CLEAN else None)
Deployment("insecure", metadata={"name": "insecure"}, spec={
    "selector": {"matchLabels": LABELS},
    "template": {"metadata": {"labels": LABELS}, "spec": {
        "securityContext": POD_SECURITY,
        "containers": [container("app") if CLEAN else {**container("app"), "securityContext": {
            **SECURE, "privileged": True, "allowPrivilegeEscalation": True}}]}}})
