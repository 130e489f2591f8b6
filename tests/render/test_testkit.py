"""The test kit in a user's own tests: beside their Pulumi runtime and their
event loop, with their programs and their mistakes."""

import asyncio
import contextvars
import subprocess
import sys
import textwrap

import pytest
from pulumi_kubernetes.core.v1 import ConfigMap
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import parse_config
from components.testing import render_config
from components.workloads.program import main
from tests.configs import ROOT, minimal

# A user's test module, as Pulumi's testing guide writes one.
USER_MODULE = """
import pulumi
from pulumi_kubernetes.core.v1 import ConfigMap
from components.testing import render_config
from tests.configs import minimal

class MyMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return [args.name + "_id", args.inputs]
    def call(self, args):
        return {}

def render():
    print(sorted(render_config(minimal()).manifests["DaemonSet"]))
"""
SCENARIOS = {
    "set_mocks at module level": """
        pulumi.runtime.set_mocks(MyMocks(), preview=False)
        render()
    """,
    "a render, set_mocks in a later test, a @pulumi.runtime.test, a render": """
        render()
        pulumi.runtime.set_mocks(MyMocks(), preview=False)
        pulumi.runtime.test(lambda: ConfigMap("x", data={"a": "b"}).data)()
        render()
    """,
    "inside a @pulumi.runtime.test with a resource in flight": """
        pulumi.runtime.set_mocks(MyMocks(), preview=False)
        @pulumi.runtime.test
        def declared():
            outer = ConfigMap("outer", metadata={"name": "outer"}, data={"a": "b"})
            render()
            return outer.data
        declared()
    """,
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_kit_renders_beside_the_callers_own_pulumi_mocks(scenario):
    # In a process of its own, so that a hang fails this test instead of the suite.
    script = USER_MODULE + textwrap.dedent(SCENARIOS[scenario])
    try:
        run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                             text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{scenario}: the render hung")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[0] == "['filebeat']"


def test_a_run_leaves_no_default_behind_for_contexts_made_later():
    from pulumi.runtime import settings

    def seen():
        return [settings.SETTINGS.monitor, settings.SETTINGS.rpc_manager,
                settings.SETTINGS.outputs]

    before = contextvars.Context().run(seen)
    render_config(minimal())
    after = contextvars.Context().run(seen)
    assert all(a is b for a, b in zip(before, after, strict=True))


def test_kit_renders_beside_a_running_loops_own_tasks():
    async def inside():
        unrelated = asyncio.create_task(asyncio.sleep(5))
        try:
            return render_config(minimal())
        finally:
            unrelated.cancel()

    assert set(asyncio.run(inside()).manifests["DaemonSet"]) == {"filebeat"}


def autonamed(metadata):
    def program():
        main()
        ConfigMap("mine", metadata=metadata, data={"k": "v"})
    return program


@pytest.mark.parametrize("metadata", [ObjectMetaArgs(namespace="logging"), None],
                         ids=["namespace only", "no metadata"])
def test_an_object_without_a_name_is_named_as_the_provider_would(metadata):
    first = render_config(minimal(), program=autonamed(metadata)).manifests
    [name] = [n for n in first["ConfigMap"] if n.startswith("mine-")]
    assert len(name) == len("mine-") + 8 and int(name[5:], 16) >= 0
    body = first["ConfigMap"][name]
    assert body["metadata"]["annotations"] == {"pulumi.com/autonamed": "true"}
    assert body["data"] == {"k": "v"}
    again = render_config(minimal(), program=autonamed(metadata)).manifests
    assert again.to_yaml() == first.to_yaml()  # a stand-in, the same in every render


@pytest.mark.parametrize(("call", "message"), [
    (lambda: parse_config(minimal(), "x"), r"^parse_config takes a RawConfig, .* not dict;"),
    (lambda: render_config("redis: {}"), r"^render_config takes a stack file's config: "
                                          r"mapping or a StackConfig, not str;"),
    (lambda: render_config(minimal(), secrets=["pw"]), r"^render_config's secrets is a mapping"),
])
def test_a_wrong_type_says_what_the_function_takes(call, message):
    with pytest.raises(TypeError, match=message):
        call()
