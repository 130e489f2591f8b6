"""`filebeat test config` on every stack's generated filebeat.yml, in its pod.

The check runs in the DaemonSet's container as rendered (the ConfigMap and
the auth Secret where the manifest mounts them, the container's user and
read-only root, the init containers first), with the container's own `-c`
arguments: a config filebeat refuses is a generator bug.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.stack.parse import parse_config
from tests.configs import REPORT, STACKS, committed_stack
from tests.hostile_configs import BASES, VALID_PASSWORD, engine_view, mutate, passwords
from tests.real.runtime.pipeline import Pipeline
from tests.real.runtime.pod import Pod
from tests.real.runtime.rendered import render_raw


def filebeat_daemonsets(manifests) -> list[str]:
    return [name for name, ds in manifests["DaemonSet"].items()
            if any(c["name"] == "filebeat" for c in ds["spec"]["template"]["spec"]["containers"])]


GENERATED = [s for s in STACKS if committed_stack(s)["filebeat"].get("generateConfig", True)]


def test_every_stack_but_the_tutorials_generates_its_config():
    # demo runs the tutorial's filebeat 5.6 image with the config inside it.
    assert sorted(set(STACKS) - set(GENERATED)) == ["demo"]


@pytest.mark.parametrize("stack", GENERATED)
def test_filebeat_accepts_the_generated_config(stack, node, images):
    pipeline = Pipeline(node, images, committed_stack(stack))
    names = filebeat_daemonsets(pipeline.rendered.manifests)
    assert names
    for name in names:
        pod = pipeline.new_filebeat(name)
        pod.initialize()
        container = pod["filebeat"]
        checked = container.run(["filebeat", "test", "config", *container.spec["args"]])
        assert checked.ok, f"{stack} {name}: {checked.output}"
        assert "Config OK" in checked.output


HOSTILE_CASES = 200
"""Enough mutated configs that about a dozen render (most are refused)."""
RENDERED: list = []


@settings(max_examples=HOSTILE_CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=st.sampled_from(BASES), password=passwords, data=st.data())
def collect_rendered(base, password, data):
    raw = engine_view(mutate(base, data), password, data)
    try:
        parse_config(raw, "stacks/Pulumi.prop.yaml")
    except ConfigError:
        return
    rendered = render_raw(raw)
    rendered.existing_secrets(VALID_PASSWORD)
    RENDERED.append(rendered)


def test_filebeat_accepts_the_config_of_hostile_stacks_that_render(node, images):
    RENDERED.clear()
    collect_rendered()
    checked = 0
    for rendered in RENDERED:
        for name in filebeat_daemonsets(rendered.manifests):
            pod = Pod(rendered, "DaemonSet", name, node, images)
            container = pod["filebeat"]
            if container.spec.get("args", [])[:1] != ["-c"]:
                continue  # generateConfig off: the image's own config, not ours
            pod.initialize()
            result = container.run(["filebeat", "test", "config", *container.spec["args"]])
            configs = [rendered.config_map(v["configMap"]["name"])
                       for v in pod.spec["volumes"] if "configMap" in v]
            assert result.ok, f"{name}: {result.output}\n{configs}"
            checked += 1
    REPORT.append(f"runtime: filebeat test config passed on {checked} hostile configs' "
                  f"DaemonSets, of {len(RENDERED)} that rendered out of {HOSTILE_CASES}")
    assert checked >= 5
