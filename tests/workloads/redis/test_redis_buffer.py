"""Redis as a log buffer: redis.conf, storage, auth wiring, network policy, pinning."""

import pytest

from components.config.errors import ConfigError
from tests.configs import minimal, refused, render_config, with_filebeat, with_redis


def conf(manifests) -> list[str]:
    text = manifests["ConfigMap"]["redis-config"]["data"]["redis.conf"]
    return [line for line in text.splitlines() if not line.startswith("#")]


def pod(manifests) -> dict:
    return manifests["Deployment"]["redis"]["spec"]["template"]


def test_default_redis_conf():
    assert conf(render_config(minimal()).manifests) == [
        "port 6379", "protected-mode no", "dir /data", "list-compress-depth 1",
        "list-max-listpack-size -5", "maxmemory-policy noeviction",
        "appendonly no", 'save ""', "include /etc/redis-auth/auth.conf"]


def test_maxmemory_defaults_to_three_quarters_of_the_limit_in_whole_mebibytes():
    lines = conf(render_config(with_redis(resources={"limits": {"memory": "128Mi"}})).manifests)
    assert "maxmemory 96mb" in lines
    lines = conf(render_config(with_redis(resources={"limits": {"memory": "1G"}})).manifests)
    assert "maxmemory 715mb" in lines  # 750,000,000 bytes, rounded down to MiB


def test_maxmemory_can_be_set_and_in_odd_sizes():
    assert "maxmemory 1536mb" in conf(render_config(with_redis(maxmemory="1536Mi")).manifests)
    assert "maxmemory 2gb" in conf(render_config(with_redis(maxmemory="2Gi")).manifests)
    assert "maxmemory 1500000" in conf(render_config(with_redis(maxmemory="1.5M")).manifests)


def test_maxmemory_policy():
    lines = conf(render_config(with_redis(maxmemoryPolicy="allkeys-lru")).manifests)
    assert "maxmemory-policy allkeys-lru" in lines


def test_persistence_claims_a_volume_and_turns_on_the_aof():
    out = render_config(with_redis(persistence={
        "enabled": True, "size": "4Gi", "storageClassName": "fast-ssd"})).manifests
    assert out["PersistentVolumeClaim"]["redis-data"]["spec"] == {
        "accessModes": ["ReadWriteOnce"], "storageClassName": "fast-ssd",
        "resources": {"requests": {"storage": "4Gi"}}}
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "redis-data"}} in pod(out)[
        "spec"]["volumes"]
    assert out["Deployment"]["redis"]["spec"]["strategy"] == {"type": "Recreate"}
    lines = conf(out)
    assert "appendonly yes" in lines and "appendfsync everysec" in lines
    # Redis' default snapshot rules would run beside the AOF without this.
    assert lines.count('save ""') == 1


def test_adding_snapshots_beside_the_aof():
    lines = conf(render_config(with_redis(persistence={"enabled": True, "snapshots": [
        {"afterSeconds": 900, "changes": 1}, {"afterSeconds": 60, "changes": 10000}]}))
        .manifests)
    assert "save 900 1 60 10000" in lines and 'save ""' not in lines


def test_a_config_change_rolls_redis_and_an_unrelated_one_does_not():
    checksum = [pod(render_config(c).manifests)["metadata"]["annotations"]["checksum/config"]
                for c in (minimal(), with_redis(maxmemoryPolicy="allkeys-lru"),
                          with_filebeat(logLevel="debug"))]
    assert checksum[0] != checksum[1]
    assert checksum[0] == checksum[2]


def test_without_auth_there_is_no_secret_and_no_include():
    out = render_config(with_redis(auth=False)).manifests
    assert "Secret" not in out
    assert not [line for line in conf(out) if line.startswith("include")]
    container = pod(out)["spec"]["containers"][0]
    assert container["readinessProbe"]["exec"]["command"] == [
        "sh", "-c", "redis-cli -p 6379 ping | grep -qE '^(PONG$)'"]
    assert all(v["name"] != "auth" for v in pod(out)["spec"]["volumes"])
    filebeat = out["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]["containers"][0]
    assert "/etc/filebeat-auth/output-auth.yml" not in filebeat["args"]


def test_the_auth_secret_holds_the_password_and_the_include_file():
    out = render_config(minimal()).manifests
    assert out["Secret"]["redis-auth"]["stringData"] == {
        "password": "[secret]", "auth.conf": "[secret]"}
    assert out["Secret"]["redis-auth"]["type"] == "Opaque"


def test_network_policy_admits_filebeat_and_the_clients_only():
    out = render_config(with_redis(clients=[
        {"podLabels": {"app": "logstash"}},
        {"podLabels": {"app": "debug"}, "namespace": "tools"},
    ])).manifests
    policy = out["NetworkPolicy"]["redis"]["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "redis"}}
    assert policy["policyTypes"] == ["Ingress"]
    (rule,) = policy["ingress"]
    assert rule["ports"] == [{"port": 6379, "protocol": "TCP"}]
    assert rule["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "filebeat"}}},
        {"podSelector": {"matchLabels": {"app": "logstash"}}},
        {"podSelector": {"matchLabels": {"app": "debug"}},
         "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "tools"}}},
    ]


def test_network_policy_follows_the_container_port_and_can_be_turned_off():
    out = render_config(with_redis(containerPort=7000)).manifests
    assert out["NetworkPolicy"]["redis"]["spec"]["ingress"][0]["ports"] == [
        {"port": 7000, "protocol": "TCP"}]
    assert "redis" not in render_config(with_redis(networkPolicy=False)).manifests[
        "NetworkPolicy"]


DIGEST = "sha256:" + "ab" * 32


def test_a_digest_pins_the_image_and_lifts_the_waiver():
    out = render_config(with_redis(imageDigest=DIGEST)).manifests
    assert pod(out)["spec"]["containers"][0]["image"] == f"redis:7.4-alpine@{DIGEST}"
    assert "CKV_K8S_43" not in str(out["Deployment"]["redis"]["metadata"]["annotations"])
    filebeat = render_config(with_filebeat(imageDigest=DIGEST)).manifests["DaemonSet"]["filebeat"]
    assert filebeat["spec"]["template"]["spec"]["containers"][0]["image"].endswith(DIGEST)
    assert "CKV_K8S_43" not in str(filebeat["metadata"]["annotations"])


def test_an_image_that_names_its_digest_needs_no_waiver():
    out = render_config(with_redis(image=f"redis@{DIGEST}")).manifests
    assert "CKV_K8S_43" not in str(out["Deployment"]["redis"]["metadata"]["annotations"])


@pytest.mark.parametrize(("fields", "message"), [
    ({"maxmemory": "1Gi", "resources": {"limits": {"memory": "1Gi"}}},
     "redis.maxmemory: maxmemory (1Gi) must be below resources.limits.memory (1Gi): redis needs "
     "memory beyond its dataset, and at the limit the kernel kills it and every buffered log "
     "with it"),
    ({"maxmemory": "100m"}, "redis.maxmemory: (100m) must be a whole number of bytes from 1Mi "
                            "to 1Pi; 'm' means thousandths of a byte: for mebibytes, write "
                            "100Mi"),
    ({"maxmemory": "512Ki"}, "redis.maxmemory: (512Ki) must be a whole number of bytes from 1Mi "
                             "to 1Pi"),
    ({"replicas": 2},
     "redis.replicas: must be 0 or 1 (got 2): each replica would be a separate buffer behind "
     "one Service, and a reader drains only the pod its connection lands on, so logs would be "
     "stranded in the others"),
    ({"imageDigest": DIGEST, "image": f"redis@{DIGEST}"},
     "redis.imageDigest: imageDigest is set, but image already names a digest; keep one of "
     "the two"),
    ({"imageDigest": "sha256:abc"},
     "redis.imageDigest: 'sha256:abc' is not an image digest: write it as 'sha256:' and 64 "
     "lowercase hex digits, as `docker buildx imagetools inspect` prints it"),
    ({"maxmemoryPolicy": "volatile-lru2"},
     "redis.maxmemoryPolicy: must be 'noeviction', 'allkeys-lru', 'allkeys-lfu', "
     "'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random' or 'volatile-ttl' "
     "(got 'volatile-lru2')"),
])
def test_buffer_rules(fields, message):
    assert refused(with_redis(**fields)) == [f"<render_config>: {message}"]


@pytest.mark.parametrize(("redis", "filebeat", "clash"), [
    ("redis", "redis", "ConfigMap 'redis-config'"),
    ("a-redis", "a", "Secret 'a-redis-auth'"),
])
def test_redis_and_filebeat_objects_never_share_a_name(redis, filebeat, clash):
    with pytest.raises(ConfigError) as caught:
        render_config(with_filebeat(name=filebeat) | {
            "redis": {"image": "redis:7", "name": redis}})
    assert str(caught.value) == (
        f"<render_config>: filebeat.name: filebeat.name {filebeat!r} would name a {clash}, "
        f"which redis.name {redis!r} names the same; choose another name")
