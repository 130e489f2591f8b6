"""The offline renderer: deterministic, plain, complete, and safe with secrets.

What a readable stack renders to. The command's refusals of a stack it cannot read
are in test_render_bad_stack_files.py, and the folder `--out` writes in
test_render_out.py."""

import base64
import json
import subprocess
import sys

import pulumi
import pytest
import yaml
from pulumi_kubernetes.core.v1 import ConfigMap, Secret
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components.render.capture import RenderError, from_capture
from components.render.mockrun import run_with_mocks
from components.render.renderer import find_stack_file, render, render_stack_file
from components.workloads.program import main
from tests.cli import cli
from tests.configs import ROOT, STACKS, minimal, raw, render_config


def walk(value):
    yield value
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


# Renders each stack given, in this order, through the CLI's own `main`.
ONE_INTERPRETER_RENDERS = """
import contextlib, io, json, sys
from components.cli import main
out = {}
for stack in sys.argv[1:]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["render", "--stack", stack])
    out[stack] = [code, printed.getvalue()]
print(json.dumps(out))
"""


def test_render_is_byte_identical_across_processes():
    # Another interpreter has another hash seed and import order. One
    # interpreter renders every stack: a start-up each would add nothing.
    done = subprocess.run([sys.executable, "-c", ONE_INTERPRETER_RENDERS, *STACKS], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    there = json.loads(done.stdout)
    for stack in STACKS:
        here = cli("render", "--stack", stack)
        assert there[stack][0] == here.returncode == 0, (stack, here.stderr)
        assert there[stack][1] == here.stdout, stack
        assert here.stdout == render_stack_file(find_stack_file(stack)).manifests.to_yaml(), stack


def test_documents_come_in_apply_order_whatever_the_registration_order():
    def reversed_program():
        ConfigMap("z", metadata=ObjectMetaArgs(name="z", namespace="default"))
        ConfigMap("a", metadata=ObjectMetaArgs(name="a", namespace="default"))
        main()

    out = render_config(minimal() | {"namespace": "logging", "createNamespace": True},
                        program=reversed_program)
    order = [(m.kind, m.name) for m in out.manifests.objects]
    assert order == [
        ("Namespace", "logging"), ("NetworkPolicy", "filebeat"), ("NetworkPolicy", "redis"),
        ("ResourceQuota", "filebeat-critical-pods"), ("ServiceAccount", "filebeat"),
        ("Secret", "filebeat-redis-auth"),
        ("Secret", "redis-auth"), ("ConfigMap", "a"), ("ConfigMap", "z"),
        ("ConfigMap", "filebeat-config"), ("ConfigMap", "redis-config"),
        ("ClusterRole", "logging-filebeat"), ("ClusterRoleBinding", "logging-filebeat"),
        ("Service", "redis"), ("DaemonSet", "filebeat"), ("Deployment", "redis")]


@pytest.mark.parametrize("stack", STACKS)
def test_integers_stay_integers_and_no_pulumi_internals_leak(stack):
    text = cli("render", "--stack", stack).stdout
    documents = list(yaml.safe_load_all(text))
    values = [v for doc in documents for v in walk(doc)]
    assert not [v for v in values if isinstance(v, float)]
    assert not [v for v in values if isinstance(v, str) and (
        v.startswith("__") or v.startswith("urn:pulumi") or v in (
            "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"))]
    assert "containerPort: 6379\n" in text


def test_an_object_defined_twice_is_an_error():
    def program():
        main()
        ConfigMap("one", metadata=ObjectMetaArgs(name="same", namespace="default"))
        ConfigMap("two", metadata=ObjectMetaArgs(name="same", namespace="default"))

    with pytest.raises(RenderError, match=r"^ConfigMap default/same: defined twice"):
        render_config(minimal(), program=program)


def test_same_name_in_different_namespaces_is_fine():
    def program():
        main()
        ConfigMap("one", metadata=ObjectMetaArgs(name="same", namespace="a"))
        ConfigMap("two", metadata=ObjectMetaArgs(name="same", namespace="b"))

    manifests = render_config(minimal(), program=program).manifests
    assert [(m.namespace, m.name) for m in manifests.objects
            if m.kind == "ConfigMap" and m.name == "same"] == [("a", "same"), ("b", "same")]
    # Indexed so that a lookup cannot silently pick one of the two.
    assert {"a/same", "b/same"} <= set(manifests["ConfigMap"])
    assert "same" not in manifests["ConfigMap"]


def test_no_namespace_means_the_default_one_for_the_duplicate_check():
    def program():
        main()
        ConfigMap("one", metadata=ObjectMetaArgs(name="same"))
        ConfigMap("two", metadata=ObjectMetaArgs(name="same", namespace="default"))

    with pytest.raises(RenderError, match=r"^ConfigMap default/same: defined twice"):
        render_config(minimal(), program=program)


def test_a_secrets_data_prints_as_placeholders():
    def program():
        main()
        password = pulumi.Config("test").require_secret("apiKey")
        Secret("creds", metadata=ObjectMetaArgs(name="creds", namespace="default"),
               string_data={"apiKey": password, "user": "ops"})

    # A secret the program reads itself, beside the redis password.
    config = raw(minimal(), secrets={"test:apiKey": "hunter2"})
    manifests = from_capture(run_with_mocks(program, "test", config).resources)
    assert "hunter2" not in manifests.to_yaml()
    assert manifests["Secret"]["creds"]["stringData"] == {"apiKey": "[secret]", "user": "[secret]"}
    assert manifests["Secret"]["creds"]["metadata"]["name"] == "creds"


@pytest.mark.parametrize("derive", [
    lambda secret: secret,
    lambda secret: secret.apply(lambda s: s.upper()),
    lambda secret: secret.apply(lambda s: base64.b64encode(s.encode()).decode()),
    lambda secret: pulumi.Output.secret("marked-secret-by-the-program"),
], ids=["as-is", "derived", "encoded", "program-marked"])
def test_a_secret_outside_a_secrets_data_stops_the_render(derive):
    def program():
        main()
        secret = derive(pulumi.Config("test").require_secret("apiKey"))
        ConfigMap("note", metadata=ObjectMetaArgs(name="note", namespace="default"),
                  data={"key": secret})

    config = raw(minimal(), secrets={"test:apiKey": "hunter2"})
    capture = run_with_mocks(program, "test", config)
    with pytest.raises(RenderError) as caught:
        from_capture(capture.resources)
    assert str(caught.value) == (
        "ConfigMap default/note: holds a secret value outside a Secret's data or stringData, "
        "where it cannot be printed safely; reference a Secret instead")


def test_a_secret_used_in_plain_text_stops_the_render():
    def program():
        main()
        leaked = pulumi.Config("test").get("apiKey")  # not get_secret
        ConfigMap("leak", metadata=ObjectMetaArgs(name="leak", namespace="default"),
                  data={"key": leaked})

    with pytest.raises(RenderError, match="would print a secret config value in plain text") \
            as caught:
        render(raw(minimal(), secrets={"test:apiKey": "hunter2"}), "test", program=program)
    assert "hunter2" not in str(caught.value)


def test_manifests_is_a_mapping_of_kind_to_objects_by_name():
    out = render_config(minimal())
    manifests = out.manifests
    as_dict = {kind: dict(objects) for kind, objects in manifests.items()}
    assert manifests == as_dict  # Mapping equality: same keys and values
    assert list(manifests.keys()) == list(as_dict)
    assert manifests["Service"] == {"redis": manifests["Service"]["redis"]}
    assert dict(manifests.items())["DaemonSet"]["filebeat"]["kind"] == "DaemonSet"
    assert [m.kind for m in manifests.objects][:1] == ["NetworkPolicy"]
    assert len(manifests) == len(as_dict)
