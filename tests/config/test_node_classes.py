"""Node classes: one DaemonSet per kind of node, with disjoint selectors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import ConfigError
from components.config.kube.node_selection import NodeClass, overlapping_classes
from tests.cli import cli
from tests.configs import refused, render_config, with_filebeat

CLASSES = {
    "big": {"nodeSelector": {"node.kubernetes.io/instance-type": "m5.4xlarge"},
            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}},
            "env": {"WORKERS": "8"},
            "args": ["-e", "--workers=8"]},
    "small": {"nodeSelector": {"node.kubernetes.io/instance-type": "t3.medium"}},
}


def render(**fields):
    return render_config(with_filebeat(
        env={"WORKERS": "2", "LOG_LEVEL": "info"}, args=["-e"],
        resources={"requests": {"cpu": "100m"}}, **fields))


def test_each_class_is_its_own_daemon_set():
    out = render(nodeClasses=CLASSES, nodeSelector={"kubernetes.io/os": "linux"})
    assert set(out.manifests["DaemonSet"]) == {"filebeat-big", "filebeat-small"}
    assert out.outputs["daemonSetNames"] == ["filebeat-big", "filebeat-small"]
    assert "daemonSetName" not in out.outputs

    big = out.manifests["DaemonSet"]["filebeat-big"]
    small = out.manifests["DaemonSet"]["filebeat-small"]
    assert big["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "filebeat", "node-class": "big"}
    assert small["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "filebeat", "node-class": "small"}

    big_pod, small_pod = (ds["spec"]["template"]["spec"] for ds in (big, small))
    assert big_pod["nodeSelector"] == {
        "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "m5.4xlarge"}
    assert small_pod["nodeSelector"] == {
        "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "t3.medium"}

    big_container, small_container = big_pod["containers"][0], small_pod["containers"][0]
    assert big_container["resources"] == {"requests": {"cpu": "500m", "memory": "512Mi"}}
    assert small_container["resources"] == {"requests": {"cpu": "100m"}}
    generated = ["-c", "/etc/filebeat/filebeat.yml", "-c", "/etc/filebeat-auth/output-auth.yml",
                 "-e"]
    assert big_container["args"] == [*generated, "-e", "--workers=8"]
    assert small_container["args"] == [*generated, "-e"]
    env = {c: {e["name"]: e.get("value") for e in x["env"]}
           for c, x in (("big", big_container), ("small", small_container))}
    assert env["big"]["WORKERS"] == "8" and env["small"]["WORKERS"] == "2"
    assert env["big"]["LOG_LEVEL"] == env["small"]["LOG_LEVEL"] == "info"
    assert env["big"]["REDIS_HOST"] == "redis.default.svc.cluster.local"


def test_the_selectors_of_two_classes_never_match_each_others_pods():
    out = render(nodeClasses=CLASSES)
    daemon_sets = list(out.manifests["DaemonSet"].values())
    for ds in daemon_sets:
        for other in daemon_sets:
            selector = ds["spec"]["selector"]["matchLabels"].items()
            matches = selector <= other["spec"]["template"]["metadata"]["labels"].items()
            assert matches == (ds is other)


def test_a_service_reaches_every_class():
    out = render(nodeClasses=CLASSES, expose="headless",
                 ports=[{"name": "metrics", "containerPort": 5066}])
    selector = out.manifests["Service"]["filebeat"]["spec"]["selector"].items()
    for ds in out.manifests["DaemonSet"].values():
        assert selector <= ds["spec"]["template"]["metadata"]["labels"].items()


@pytest.mark.parametrize(("classes", "common", "message"), [
    ({"a": {"nodeSelector": {"disk": "ssd"}}, "b": {"nodeSelector": {"gpu": "true"}}}, {},
     "a and b could select the same node"),
    ({"a": {"nodeSelector": {"disk": "ssd"}}, "b": {"nodeSelector": {"disk": "ssd", "x": "1"}}},
     {}, "a and b could select the same node"),
    ({"a": {"nodeSelector": {"zone": "a"}}, "b": {"nodeSelector": {"tier": "b"}},
      "c": {"nodeSelector": {"zone": "c"}}}, {},
     "a and b; b and c could select the same node"),
])
def test_overlapping_classes_are_refused(classes, common, message):
    with pytest.raises(ConfigError) as caught:
        render(nodeClasses=classes, nodeSelector=common)
    assert str(caught.value) == (
        f"<render_config>: filebeat.nodeClasses: nodeClasses {message}, which would then run two "
        "daemons: "
        "give each pair different values for one nodeSelector label")


# Few keys and values, so that selectors often share a key, and sometimes its value.
SELECTOR = st.dictionaries(st.sampled_from(["pool", "zone", "disk"]), st.sampled_from("xyz"),
                           min_size=1)


@given(st.dictionaries(st.sampled_from("abcdefgh"), SELECTOR, max_size=8),
       st.dictionaries(st.sampled_from(["pool", "tier"]), st.sampled_from("xy"), max_size=1))
def test_grouping_by_a_shared_key_finds_what_checking_every_pair_finds(selectors, common):
    merged = {name: {**common, **selector} for name, selector in selectors.items()}
    names = sorted(merged)
    every_pair = [f"{a} and {b}" for i, a in enumerate(names) for b in names[i + 1:]
                  if all(merged[b].get(k, v) == v for k, v in merged[a].items())]
    classes = {name: NodeClass.model_validate({"nodeSelector": selector})
               for name, selector in selectors.items()}
    assert overlapping_classes(classes, common) == every_pair


@pytest.mark.parametrize(("classes", "message"), [
    ({"a": {}}, "filebeat.nodeClasses.a.nodeSelector: is required"),
    ({"a": {"nodeSelector": {}}}, "filebeat.nodeClasses.a.nodeSelector: must not be empty"),
    ({"A": {"nodeSelector": {"x": "y"}}}, "filebeat.nodeClasses: 'A' is not a DNS-1123 label"),
    ({"x" * 60: {"nodeSelector": {"x": "y"}}},
     f"filebeat.nodeClasses.{'x' * 60}: the DaemonSet name 'filebeat-{'x' * 60}' is longer"),
    ({"a": {"nodeSelector": {"x": "y"}, "image": "other"}},
     "filebeat.nodeClasses.a.image: unknown key"),
])
def test_class_rules(classes, message):
    line = refused(with_filebeat(
        env={"WORKERS": "2", "LOG_LEVEL": "info"}, args=["-e"],
        resources={"requests": {"cpu": "100m"}}, nodeClasses=classes))[0]
    assert line.startswith(f"<render_config>: {message}")


DERIVED = ("is derived by the component (REDIS_HOST and REDIS_PORT from the redis Service, "
           "NODE_NAME from the node); remove it")
PASSES_C = ("must not pass -c: the generated filebeat.yml is passed already; set "
            "generateConfig false to choose the config yourself")


def ingest(**fields) -> dict:
    return {"ingest": {"nodeSelector": {"pool": "ingest"}, **fields},
            "general": {"nodeSelector": {"pool": "general"}}}


@pytest.mark.parametrize(("fields", "message"), [
    ({"nodeClasses": ingest(env={"REDIS_HOST": "evil"})},
     f"filebeat.nodeClasses.ingest.env.REDIS_HOST: {DERIVED}"),
    ({"nodeClasses": ingest(env={"GOMAXPROCS": "2", "REDIS_PORT": "1"})},
     f"filebeat.nodeClasses.ingest.env.REDIS_PORT: {DERIVED}"),
    ({"nodeClasses": ingest(env={"NODE_NAME": "x"})},
     f"filebeat.nodeClasses.ingest.env.NODE_NAME: {DERIVED}"),
    ({"nodeClasses": ingest(args=["-c", "/etc/other.yml"])},
     f"filebeat.nodeClasses.ingest.args: nodeClasses.ingest.args {PASSES_C}"),
    ({"nodeClasses": ingest(args=["-e", "-c=/etc/other.yml"])},
     f"filebeat.nodeClasses.ingest.args: nodeClasses.ingest.args {PASSES_C}"),
    ({"env": {"REDIS_HOST": "x"}}, f"filebeat.env.REDIS_HOST: {DERIVED}"),
])
def test_a_class_may_not_set_what_the_daemon_may_not(fields, message):
    assert refused(with_filebeat(**fields)) == [f"<render_config>: {message}"]


def test_a_class_running_its_own_filebeat_yml_may_pass_c():
    out = render_config(with_filebeat(generateConfig=False, nodeClasses=ingest(
        args=["-c", "/etc/other.yml"]))).manifests
    container = out["DaemonSet"]["filebeat-ingest"]["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["-c", "/etc/other.yml"]


@pytest.mark.parametrize(("value", "key", "message"), [
    ("filebeat.nodeClasses.ingest.env.REDIS_HOST=evil",
     "filebeat.nodeClasses.ingest.env.REDIS_HOST", DERIVED),
    ('filebeat.nodeClasses.ingest.args=["-c","/etc/other.yml"]',
     "filebeat.nodeClasses.ingest.args", f"nodeClasses.ingest.args {PASSES_C}"),
])
def test_a_set_on_a_class_is_refused_naming_itself(value, key, message):
    result = cli("render", "--stack", "mixed-nodes", "--set", value)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [f"--set {value}: {key}: {message}"]
