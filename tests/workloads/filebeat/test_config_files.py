"""Config files roll the pods when, and only when, their content changes."""

from tests.configs import render_config, with_filebeat

FILES = {"extra.yml": "processors:\n  - drop_event: {}\n"}


def render(files, **fields):
    return render_config(with_filebeat(configFiles=files, **fields)).manifests


def template(manifests, name="filebeat") -> dict:
    return manifests["DaemonSet"][name]["spec"]["template"]


def test_files_become_a_mounted_config_map():
    manifests = render(FILES)
    config_map = manifests["ConfigMap"]["filebeat-config"]
    assert set(config_map["data"]) == {"extra.yml", "filebeat.yml"}
    assert config_map["data"]["extra.yml"] == FILES["extra.yml"]
    assert config_map["metadata"]["namespace"] == "default"
    spec = template(manifests)["spec"]
    assert {"name": "config", "configMap": {"name": "filebeat-config"}} in spec["volumes"]
    assert {"name": "config", "mountPath": "/etc/filebeat", "readOnly": True} in spec[
        "containers"][0]["volumeMounts"]


def test_mount_path_is_configurable():
    spec = template(render(FILES, configMountPath="/usr/share/filebeat/conf.d"))["spec"]
    assert {"name": "config", "mountPath": "/usr/share/filebeat/conf.d", "readOnly": True} in spec[
        "containers"][0]["volumeMounts"]


def test_no_files_no_config_map_no_checksum():
    manifests = render({}, generateConfig=False)
    assert set(manifests["ConfigMap"]) == {"redis-config"}
    assert "checksum/config" not in template(manifests)["metadata"].get("annotations", {})


def test_a_content_change_changes_the_pod_template():
    before = template(render(FILES))
    after = template(render({"extra.yml": "processors: []\n"}))
    assert before["metadata"]["annotations"]["checksum/config"] != after["metadata"][
        "annotations"]["checksum/config"]
    assert before != after


def test_the_same_content_leaves_the_template_byte_identical():
    first, second = render(FILES), render(dict(FILES))
    assert first.to_yaml() == second.to_yaml()
    assert len(template(first)["metadata"]["annotations"]["checksum/config"]) == 64


def test_unrelated_changes_do_not_touch_the_checksum():
    plain = template(render(FILES))["metadata"]["annotations"]
    renamed_redis = render_config(with_filebeat(configFiles=FILES) | {
        "redis": {"image": "redis:7.4-alpine", "replicas": 0}}).manifests
    assert template(renamed_redis)["metadata"]["annotations"] == plain


def test_every_node_class_rolls_with_the_files():
    classes = {"a": {"nodeSelector": {"pool": "a"}}, "b": {"nodeSelector": {"pool": "b"}}}
    manifests = render(FILES, nodeClasses=classes)
    sums = {template(manifests, n)["metadata"]["annotations"]["checksum/config"]
            for n in ("filebeat-a", "filebeat-b")}
    assert len(sums) == 1
