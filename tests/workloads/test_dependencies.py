"""What the engine is told each workload depends on, and how.

The engine re-creates a resource with one it deletes first (a changed
ConfigMap or Secret, which pulumi-kubernetes replaces) when an input of the
resource holds that one's output and the input could force a replacement:
a workload's `spec` holds its immutable selector. So the workloads name what
they read as plain values and are ordered by `depends_on`; the engine's
propertyDependencies for `spec` must not name those objects. (The e2e
table, tests/e2e/test_diff_engine.py, shows what the engine then plans.)
"""

import pytest
from pulumi.runtime import mocks

from tests.configs import minimal, render_config, with_filebeat

WORKLOADS = ("kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:Deployment")


@pytest.fixture
def registrations(monkeypatch):
    """{logical name of each workload: (its dependencies, the spec's property
    dependencies)}, as URNs' last segments (`kind::name`)."""
    seen: dict[str, tuple[set[str], set[str]]] = {}
    original = mocks.MockMonitor.RegisterResource

    def record(self, request):
        if request.type in WORKLOADS:
            def short(urns):
                return {f"{u.split('::')[-2].rpartition(':')[2]}::{u.split('::')[-1]}"
                        for u in urns}
            spec = request.propertyDependencies.get("spec")
            seen[request.name] = (short(request.dependencies),
                                  short(spec.urns) if spec else set())
        return original(self, request)

    monkeypatch.setattr(mocks.MockMonitor, "RegisterResource", record)
    return seen


def test_workloads_depend_on_what_they_read_but_not_through_spec(registrations):
    config = with_filebeat() | {"namespace": "logging", "createNamespace": True}
    config["redis"] |= {"persistence": {"enabled": True}}
    render_config(config)
    redis_after, redis_spec = registrations["redis"]
    assert {"ConfigMap::redis-config", "Secret::redis-auth",
            "PersistentVolumeClaim::redis-data"} <= redis_after
    filebeat_after, filebeat_spec = registrations["filebeat"]
    assert {"ConfigMap::filebeat-config", "Secret::filebeat-redis-auth",
            "ServiceAccount::filebeat"} <= filebeat_after
    # The namespace is the only object the specs still take an output of.
    assert redis_spec <= {"Namespace::logging"}
    assert filebeat_spec <= {"Namespace::logging"}


def test_filebeat_waits_for_redis(registrations):
    """So Pulumi updates redis (and waits for it) before filebeat: after a
    password rotation, redis has the new password first."""
    render_config(minimal())
    filebeat_after, _ = registrations["filebeat"]
    assert {"Deployment::redis", "Service::redis"} <= filebeat_after


def test_the_names_in_the_spec_are_the_objects_names():
    manifests = render_config(minimal()).manifests
    pod = manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config"]["configMap"]["name"] in manifests["ConfigMap"]
    assert volumes["redis-auth"]["secret"]["secretName"] in manifests["Secret"]
    assert pod["serviceAccountName"] in manifests["ServiceAccount"]
    env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert env["REDIS_HOST"] == "redis.default.svc.cluster.local"
