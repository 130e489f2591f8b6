"""redis.existingSecret.version: what rolls redis and filebeat when the
password in a Secret the stack did not make changes. Without a version
nothing does; a bump rolls both, changes nothing else, and redis rolls
before filebeat without waiting for any Secret. Apart from
test_existing_secret.py, which holds what naming the Secret renders, because
these tests are about the rollout, across two renders or the dependency graph.
"""

from tests.configs import render_config
from tests.workloads.existing_secret import annotations, existing
from tests.workloads.test_dependencies import registrations  # noqa: F401  # a fixture, used by name


def test_without_a_version_nothing_rolls_the_pods_for_the_password():
    for pod_annotations in annotations(render_config(existing()).manifests):
        assert set(pod_annotations) == {"checksum/config"}


def test_bumping_the_version_rolls_redis_and_filebeat():
    first = render_config(existing({"version": "2026-11-01"})).manifests
    bumped = render_config(existing({"version": "2026-12-01"})).manifests
    assert [a["checksum/redis-auth-version"] for a in annotations(first)] == [
        "2026-11-01", "2026-11-01"]
    assert [a["checksum/redis-auth-version"] for a in annotations(bumped)] == [
        "2026-12-01", "2026-12-01"]
    # Nothing else about the pods changes: the bump rolls them, nothing more.
    for kind, name in (("Deployment", "redis"), ("DaemonSet", "filebeat")):
        before, after = first[kind][name], bumped[kind][name]
        del before["spec"]["template"]["metadata"]["annotations"]["checksum/redis-auth-version"]
        del after["spec"]["template"]["metadata"]["annotations"]["checksum/redis-auth-version"]
        assert before == after


def test_redis_rolls_before_filebeat_and_waits_for_no_secret(registrations):  # noqa: F811
    render_config(existing({"version": "1"}))
    redis_after, _ = registrations["redis"]
    filebeat_after, _ = registrations["filebeat"]
    assert {"Deployment::redis", "Service::redis"} <= filebeat_after
    assert not {dependency for dependency in redis_after | filebeat_after
                if dependency.startswith("Secret::")}
