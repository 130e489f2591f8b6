"""The buffer's claim: ours by default, or one someone else made; its access
modes; and what `diff` says about each."""

import subprocess
import sys

import pytest
from kubernetes_validate.utils import validate

from components.review.pairing import compare
from tests.configs import ROOT, refused, render_config, with_redis
from tests.kube_schema import OLDEST_AND_NEWEST

DEPLOYMENT = "Deployment default/redis"
CLAIM = "PersistentVolumeClaim default/redis-data"


def persistent(**persistence) -> dict:
    return with_redis(persistence={"enabled": True, **persistence})


def claim_volume(manifests) -> dict:
    volumes = manifests["Deployment"]["redis"]["spec"]["template"]["spec"]["volumes"]
    return next(v for v in volumes if v["name"] == "data")


def diff(old: dict, new: dict) -> dict:
    return {d.identity: d for d in compare(render_config(old).manifests.objects,
                                           render_config(new).manifests.objects)}


def test_defaults():
    manifests = render_config(persistent()).manifests
    assert manifests["PersistentVolumeClaim"]["redis-data"]["spec"]["accessModes"] == [
        "ReadWriteOnce"]
    assert claim_volume(manifests) == {
        "name": "data", "persistentVolumeClaim": {"claimName": "redis-data"}}


def test_adding_access_modes():
    manifests = render_config(persistent(accessModes=["ReadWriteOncePod"])).manifests
    assert manifests["PersistentVolumeClaim"]["redis-data"]["spec"]["accessModes"] == [
        "ReadWriteOncePod"]


def test_adding_an_existing_claim_creates_none_and_mounts_it():
    manifests = render_config(persistent(existingClaim="logs-buffer")).manifests
    assert "PersistentVolumeClaim" not in manifests
    assert claim_volume(manifests) == {
        "name": "data", "persistentVolumeClaim": {"claimName": "logs-buffer"}}
    deployment = manifests["Deployment"]["redis"]
    # One pod on the volume at a time, as with our own claim.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
def test_every_claim_setting_renders_valid_manifests(version):
    for config in (persistent(accessModes=["ReadWriteMany"], storageClassName="fast"),
                   persistent(existingClaim="logs-buffer")):
        for manifest in render_config(config).manifests.objects:
            validate(manifest.body, version, strict=True)


def test_diff_says_moving_to_an_existing_claim_keeps_what_it_holds():
    diffs = diff(persistent(), persistent(existingClaim="logs-buffer"))
    assert diffs[CLAIM].impacts == (
        "PersistentVolumeClaim removed → Pulumi deletes it, and the data on it is lost "
        "unless its PersistentVolume's reclaimPolicy is Retain",)
    assert diffs[DEPLOYMENT].impacts == (
        "pod template changed → Recreate stops 1 pod before starting new ones: down until "
        "the new pods are ready; the new pods mount PersistentVolumeClaim logs-buffer, which "
        "this stack does not create: they start on whatever it holds, and what the old pods "
        "buffered stays where it was",)


def test_diff_says_new_access_modes_replace_the_claim():
    diffs = diff(persistent(), persistent(accessModes=["ReadWriteOncePod"]))
    assert diffs[CLAIM].replaced is True
    assert any("the data on it is lost" in line for line in diffs[CLAIM].impacts)


FILE = "<render_config>"


@pytest.mark.parametrize(("persistence", "message"), [
    ({"existingClaim": "logs"},
     "redis.persistence.existingClaim: existingClaim needs enabled true"),
    ({"enabled": True, "existingClaim": "logs", "size": "2Gi"},
     "redis.persistence.size: size is the claim's own, and existingClaim names a claim"),
    ({"enabled": True, "existingClaim": "logs", "accessModes": ["ReadWriteOnce"]},
     "redis.persistence.accessModes: accessModes is the claim's own"),
    ({"enabled": True, "existingClaim": "Logs"},
     "redis.persistence.existingClaim: 'Logs' is not a DNS-1123 subdomain"),
    ({"accessModes": []}, "redis.persistence.accessModes: must name each mode once"),
    ({"accessModes": ["ReadWriteOnce", "ReadWriteOnce"]},
     "redis.persistence.accessModes: must name each mode once"),
    ({"accessModes": ["ReadOnlyMany"]},
     "redis.persistence.accessModes: must not hold ReadOnlyMany"),
    ({"accessModes": ["ReadWriteOncePod", "ReadWriteOnce"]},
     "redis.persistence.accessModes: ReadWriteOncePod must stand alone"),
    ({"accessModes": ["ReadWriteSometimes"]}, "redis.persistence.accessModes[0]:"),
])
def test_rule(persistence, message):
    (line,) = refused(with_redis(persistence=persistence))
    assert line.startswith(f"{FILE}: {message}"), line


AOF = ("the AOF grows to about twice the dataset between rewrites, and on a full disk "
       "redis refuses every write")


@pytest.mark.parametrize(("redis", "message"), [
    ({"maxmemory": "1536Mi", "persistence": {"enabled": True, "size": "512Mi"}},
     "redis.persistence.size: persistence.size (512Mi) must be at least twice maxmemory "
     f"(1536Mi): 3Gi; {AOF}"),
    ({"resources": {"limits": {"memory": "2Gi"}},
      "persistence": {"enabled": True, "size": "3071Mi"}},
     "redis.persistence.size: persistence.size (3071Mi) must be at least twice maxmemory "
     f"(1536Mi, 75% of resources.limits.memory): 3Gi; {AOF}"),
    ({"resources": {"limits": {"memory": "4Gi"}}, "persistence": {"enabled": True}},
     "redis.persistence.size: persistence.size (1Gi) must be at least twice maxmemory (3Gi, 75% of "
     f"resources.limits.memory): 6Gi; {AOF}"),
], ids=["explicit", "derived", "the-default-size"])
def test_a_claim_smaller_than_twice_maxmemory_is_refused(redis, message):
    assert refused(with_redis(**redis)) == [f"{FILE}: {message}"]


def test_a_claim_of_twice_maxmemory_or_someone_elses_claim_renders():
    at_least = render_config(with_redis(maxmemory="1536Mi",
                                        persistence={"enabled": True, "size": "3Gi"}))
    assert at_least.manifests["PersistentVolumeClaim"]["redis-data"]["spec"]["resources"] == {
        "requests": {"storage": "3Gi"}}
    # Not ours to size: its owner made it, and grows it where it is made.
    render_config(with_redis(maxmemory="1536Mi",
                             persistence={"enabled": True, "existingClaim": "logs"}))
    # No claim at all, so no size to check.
    render_config(with_redis(maxmemory="1536Mi", persistence={"size": "512Mi"}))


def test_prods_buffer_with_a_claim_too_small_is_refused_from_the_command_line():
    run = subprocess.run([sys.executable, "-m", "components", "render", "--stack", "prod",
                          "--set", "redis.persistence.size=512Mi"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert run.stderr.splitlines() == [
        "--set redis.persistence.size=512Mi: redis.persistence.size: persistence.size (512Mi) "
        f"must be at least twice maxmemory (1536Mi): 3Gi; {AOF}"]
