"""The offline renderer: deterministic, plain, complete, and safe with secrets."""

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
from tests.cli import cli, cli_process
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


def test_exit_code_2_and_one_line_per_problem_on_bad_config(tmp_path):
    stack = tmp_path / "Pulumi.broken.yaml"
    stack.write_text(
        "config:\n"
        "  redis-filebeat:redis: {image: redis:7, port: 0}\n"
        "  redis-filebeat:filebeat:\n"
        "    image: f\n"
        "    updateStrategy: {type: OnDelete, maxSurge: 1}\n")
    result = cli("render", "--config", str(stack))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{stack}: redis.port: should be greater than or equal to 1 (got 0)",
        f"{stack}: filebeat.updateStrategy.maxSurge: is not allowed with type OnDelete: pods "
        "are replaced only when you delete them, so there is no rollout to tune",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("config: [1, 2]\n", "config: must be a mapping of keys to values"),
    ("config:\n  redis-filebeat:namespace: a\n  redis-filebeat:namespace: b\n",
     "Pulumi.x.yaml:3:3: the key 'redis-filebeat:namespace' appears twice"),
    (b"\xff\xfeconfig: {}", "Pulumi.x.yaml:1:1: is not UTF-8: byte 0xff"),
    ("config:\n  redis-filebeat:namespace:\n  redis-filebeat:redis: {image: r}\n"
     "  redis-filebeat:filebeat: {image: f}\n",
     "namespace: is empty; give it a value or remove the key"),
    ("config:\n  namespace: logging\n  redis-filebeat:redis: {image: r}\n"
     "  redis-filebeat:filebeat: {image: f}\n",
     "namespace: has no namespace; write redis-filebeat:namespace"),
    ("config: {redis-filebeat:redis: {image: [}\n",
     "Pulumi.x.yaml:1:41: did not find expected node content"),
    ("config:\n  redis-filebeat:redis: not-an-object\n  redis-filebeat:filebeat: {image: f}\n",
     "redis: must be an object"),
])
def test_unreadable_stack_files_exit_2(tmp_path, text, message):
    stack = tmp_path / "Pulumi.x.yaml"
    if isinstance(text, bytes):
        stack.write_bytes(text)
    else:
        stack.write_text(text)
    result = cli("render", "--config", str(stack))
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_stack_exits_2():
    result = cli_process("render", "--stack", "nosuchstack")
    assert result.returncode == 2
    assert "stacks/Pulumi.nosuchstack.yaml: no stack 'nosuchstack'; the stacks in " in \
        result.stderr


def test_secure_values_in_a_stack_file_are_refused_without_printing_them(tmp_path):
    stack = tmp_path / "Pulumi.s.yaml"
    stack.write_text(
        "config:\n"
        "  redis-filebeat:redis: {image: r}\n"
        "  redis-filebeat:filebeat:\n"
        "    image: f\n"
        "    env: {TOKEN: {secure: v1:c2VjcmV0Y2lwaGVydGV4dA==}}\n")
    result = cli("render", "--config", str(stack))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{stack}: filebeat: is stored as a secret, but this key is written into the "
        "manifests in plain text; set it without --secret"]
    assert "c2VjcmV0" not in result.stderr + result.stdout


def test_out_writes_a_folder_kustomize_can_read(tmp_path):
    result = cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    kustomization = yaml.safe_load((tmp_path / "kustomization.yaml").read_text())
    assert kustomization["resources"] == [
        "namespace-logging.yaml", "networkpolicy-filebeat.yaml", "networkpolicy-redis.yaml",
        "resourcequota-filebeat-critical-pods.yaml", "serviceaccount-filebeat.yaml",
        "secret-filebeat-redis-auth.yaml",
        "secret-redis-auth.yaml", "configmap-filebeat-config.yaml", "configmap-redis-config.yaml",
        "clusterrole-logging-filebeat.yaml", "clusterrolebinding-logging-filebeat.yaml",
        "service-redis.yaml", "daemonset-filebeat.yaml", "deployment-redis.yaml"]
    rendered = [yaml.safe_load((tmp_path / name).read_text())
                for name in kustomization["resources"]]
    assert rendered == list(yaml.safe_load_all(cli("render", "--stack", "dev").stdout))


def test_out_removes_files_of_objects_that_are_gone(tmp_path):
    (tmp_path / "keep-me.txt").write_text("not ours")
    cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert (tmp_path / "namespace-logging.yaml").exists()
    cli("render", "--stack", "prod", "--out", str(tmp_path))  # prod creates no Namespace
    assert not (tmp_path / "namespace-logging.yaml").exists()
    assert (tmp_path / "keep-me.txt").exists()


@pytest.mark.parametrize(("name", "text", "message"), [
    ("kustomization.yaml", "resources: [mine.yaml]\n",
     "was not written by this renderer; render into a folder of its own, or remove the file"),
    ("service-redis.yaml", "kind: Service\n",
     "was not written by this renderer; render into a folder of its own, or remove the file"),
    ("kustomization.yml", "resources: []\n",
     "a kustomization of someone else's; kustomize refuses a folder with two, so render into "
     "a folder of its own"),
])
def test_out_refuses_to_replace_files_it_did_not_write(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    result = cli("render", "--stack", "dev", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"{tmp_path / name}: {message}"
    assert (tmp_path / name).read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def test_out_rewrites_its_own_folder(tmp_path):
    assert cli("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    assert cli("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0


def test_an_out_path_that_cannot_be_a_folder_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("render", "--stack", "demo", "--out", str(blocker))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{blocker}: cannot write the folder:")
    assert "Traceback" not in result.stderr


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
