"""Tests of this project's program, with the fixtures that installing
redis-filebeat gives pytest: no conftest, no set-up."""

from pathlib import Path

import yaml
from log_pipeline import READER, SITE, SITE_DIR, SITE_FIELDS, program

STACK_FILE = Path(__file__).with_name("Pulumi.dev.yaml")


def dev_config() -> dict:
    return yaml.safe_load(STACK_FILE.read_text())["config"]


def test_the_reader_is_told_where_the_buffer_is(render_config):
    out = render_config(dev_config(), stack="dev", program=program)
    reader = out.manifests["ConfigMap"][READER]["data"]
    assert reader == {"REDIS_HOST": out.outputs["redisHost"], "REDIS_PORT": "6379",
                      "REDIS_KEY": "node-logs"}
    assert reader["REDIS_HOST"].startswith("redis.logging.")


def test_redis_admits_the_reader_and_filebeat(render_config):
    out = render_config(dev_config(), stack="dev", program=program)
    ingress = out.manifests["NetworkPolicy"]["redis"]["spec"]["ingress"]
    admitted = [peer["podSelector"]["matchLabels"] for rule in ingress for peer in rule["from"]]
    assert {"app.kubernetes.io/name": READER} in admitted
    assert {"app.kubernetes.io/name": "filebeat"} in admitted


def test_the_stack_file_renders(render_stack_file):
    out = render_stack_file(STACK_FILE)
    assert set(out.manifests["DaemonSet"]) == {"filebeat"}
    assert any("redisPassword: not set" in note for note in out.notes)


def test_filebeat_loads_our_config_map_as_one_more_config_file(render_config):
    out = render_config(dev_config(), stack="dev", program=program)
    assert out.manifests["ConfigMap"][SITE_FIELDS]["data"]["fields.yml"] == (
        f"fields:\n  site: {SITE}\n")
    pod = out.manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]
    [filebeat] = pod["containers"]
    mount = {"name": SITE_FIELDS, "mountPath": SITE_DIR, "readOnly": True}
    assert mount in filebeat["volumeMounts"]
    assert {"name": SITE_FIELDS, "configMap": {"name": SITE_FIELDS}} in pod["volumes"]
    args = filebeat["args"]
    assert args[args.index(f"{SITE_DIR}/fields.yml") - 1] == "-c"
    assert args[-1] == "-e"
