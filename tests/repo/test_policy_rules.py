"""The policy pack's rules (policy/rules.py), run on plain inputs: each rule
catches what it names, keeps quiet otherwise, and our own stacks keep them.
Under the real CLI: tests/e2e/test_policy_pack.py."""

import importlib.util

import pytest

from components.render.renderer import render_stack_file
from tests.configs import ROOT, STACKS

spec = importlib.util.spec_from_file_location("policy_rules", ROOT / "policy" / "rules.py")
assert spec and spec.loader
rules = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rules)

SECURE = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
          "readOnlyRootFilesystem": True}


def daemon_set(strategy: dict, container: dict | None = None, volumes=(), annotations=None):
    container = {"name": "agent", "securityContext": SECURE,
                 "resources": {"limits": {"memory": "64Mi"}}, **(container or {})}
    return {"metadata": {"annotations": annotations or {}}, "spec": {
        "updateStrategy": strategy, "template": {"spec": {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container], "volumes": list(volumes)}}}}


SURGE = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
UNAVAILABLE = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
HOST_PORT = {"ports": [{"containerPort": 9000, "hostPort": 9000}]}
STATE = [{"name": "state", "hostPath": {"path": "/var/lib/x"}}]


@pytest.mark.parametrize(("strategy", "container", "volumes", "found"), [
    (SURGE, HOST_PORT, (), "hostPort 9000 with maxSurge"),
    ({**SURGE, "rollingUpdate": {"maxSurge": "25%"}}, HOST_PORT, (), "hostPort 9000"),
    (SURGE, {"volumeMounts": [{"name": "state", "mountPath": "/s"}]}, STATE,
     "writes hostPath /var/lib/x"),
    (SURGE, {"ports": [{"containerPort": 9000}]}, (), "port (hostNetwork) 9000"),
    (SURGE, {}, (), "hostNetwork with maxSurge and no port declared: the pack cannot tell"),
])
def test_surge_beside_what_the_node_shares_is_refused(strategy, container, volumes, found):
    ds = daemon_set(strategy, container, volumes)
    if "hostNetwork" in found:
        ds["spec"]["template"]["spec"]["hostNetwork"] = True
    [problem] = rules.surge_shares_the_node(ds)
    assert found in problem and "maxSurge: 0" in problem


@pytest.mark.parametrize(("strategy", "container", "volumes"), [
    (UNAVAILABLE, HOST_PORT, ()),
    ({**SURGE, "rollingUpdate": {"maxSurge": "0%"}}, HOST_PORT, ()),
    ({"type": "OnDelete"}, HOST_PORT, ()),
    (SURGE, {"volumeMounts": [{"name": "state", "mountPath": "/s", "readOnly": True}]}, STATE),
    (SURGE, {}, ()),
])
def test_surge_alone_or_without_sharing_passes(strategy, container, volumes):
    assert rules.surge_shares_the_node(daemon_set(strategy, container, volumes)) == []


def test_host_network_without_surge_passes_with_or_without_ports():
    for strategy, container in ((UNAVAILABLE, {}), ({"type": "OnDelete"}, {}),
                                (UNAVAILABLE, {"ports": [{"containerPort": 9000}]})):
        ds = daemon_set(strategy, container)
        ds["spec"]["template"]["spec"]["hostNetwork"] = True
        assert rules.surge_shares_the_node(ds) == [], strategy


def test_on_delete_needs_skip_await():
    assert rules.on_delete_without_skip_await(daemon_set({"type": "OnDelete"}))
    assert not rules.on_delete_without_skip_await(
        daemon_set({"type": "OnDelete"}, annotations={"pulumi.com/skipAwait": "true"}))
    assert not rules.on_delete_without_skip_await(daemon_set(UNAVAILABLE))


def test_each_missing_security_setting_is_named():
    insecure = daemon_set(UNAVAILABLE, {"securityContext": {"privileged": True},
                                        "resources": {}})
    insecure["spec"]["template"]["spec"]["securityContext"] = {}
    [problem] = rules.pod_security_gaps("kubernetes:apps/v1:DaemonSet", insecure)
    for missing in ("privileged: false", "allowPrivilegeEscalation: false",
                    "capabilities.drop: [ALL]", "readOnlyRootFilesystem: true",
                    "resources.limits.memory", "seccompProfile RuntimeDefault"):
        assert missing in problem, problem
    assert rules.pod_security_gaps("kubernetes:apps/v1:DaemonSet", daemon_set(UNAVAILABLE)) == []


def test_a_capability_added_back_after_dropping_all_is_kept():
    keeps = daemon_set(UNAVAILABLE, {"securityContext": {
        **SECURE, "capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}})
    assert rules.pod_security_gaps("kubernetes:apps/v1:DaemonSet", keeps) == [
        "container agent: set capabilities.add: [] (it adds SYS_ADMIN)"]


def test_the_proxies_and_the_wires_doubles_read_as_written():
    from types import MappingProxyType

    assert rules.plain(MappingProxyType({"ports": ({"hostPort": 9000.0},)})) == {
        "ports": [{"hostPort": 9000}]}
    assert rules.plain(0.5) == 0.5


TUTORIAL = "demo"
"""The tutorial's stack as it was: filebeat writes its root filesystem, and neither
workload has a memory limit. The others are ours, hardened (and scanned by checkov)."""


@pytest.mark.parametrize("stack", STACKS)
def test_our_stacks_keep_every_rule(stack):
    manifests = render_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").manifests
    gaps = []
    for kind, token in (("DaemonSet", "kubernetes:apps/v1:DaemonSet"),
                        ("Deployment", "kubernetes:apps/v1:Deployment")):
        for name, body in manifests[kind].items():
            assert rules.surge_shares_the_node(body) == [], (kind, name)
            assert not rules.on_delete_without_skip_await(body), (kind, name)
            gaps += [f"{kind} {name}: {gap}" for gap in rules.pod_security_gaps(token, body)]
    if stack == TUTORIAL:
        assert gaps == ["DaemonSet filebeat-ds: container filebeat: set "
                        "readOnlyRootFilesystem: true, resources.limits.memory",
                        "Deployment redis: container redis: set resources.limits.memory"]
    else:
        assert gaps == []
