"""Stacks of one project on one kube context must not share filebeat's node registry."""

import pytest
import yaml

from components.config.errors import ConfigError
from components.config.stack.neighbours import MAX_NEIGHBOURS
from components.render.renderer import render, render_stack_file
from components.workloads.program import main
from tests.configs import minimal, raw

REGISTRY = "/var/lib/redis-filebeat/logging/filebeat"


def stack_file(folder, name, namespace="logging", context="kind-kind", **filebeat):
    config = minimal()
    config["filebeat"].update(filebeat)
    values = {f"redis-filebeat:{key}": value for key, value in config.items()}
    values |= {"redis-filebeat:namespace": namespace,
               "redis-filebeat:redisPassword": {"secure": "v1:c2VjcmV0"}}
    if context is not None:
        values["kubernetes:context"] = context
    path = folder / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return path


def registry_errors(path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        render_stack_file(path)
    return str(caught.value).splitlines()


def test_a_second_stack_on_the_same_context_and_namespace_is_refused(tmp_path):
    staging = stack_file(tmp_path, "staging")
    stack_file(tmp_path, "prod")
    assert registry_errors(staging) == [
        f"{staging}: filebeat.registryHostPath: ({REGISTRY}) is also the registry of stack "
        f"prod ({tmp_path / 'Pulumi.prod.yaml'}), on the same kube context 'kind-kind': two "
        "filebeats on one node refuse to share it (\"data path already locked by another "
        "beat\"); give one stack another namespace or registryHostPath"]


def test_an_explicit_path_meets_another_stacks_default(tmp_path):
    stack_file(tmp_path, "prod")
    other = stack_file(tmp_path, "other", namespace="other", registryHostPath=REGISTRY)
    assert len(registry_errors(other)) == 1


def test_every_stack_it_meets_is_named(tmp_path):
    first = stack_file(tmp_path, "a")
    stack_file(tmp_path, "b")
    stack_file(tmp_path, "c")
    lines = registry_errors(first)
    assert [line.split("registry of stack ")[1].split(" ")[0] for line in lines] == ["b", "c"]


@pytest.mark.parametrize("other", [
    {"namespace": "elsewhere"},  # the default path is qualified by namespace
    {"context": "kind-other"},
    {"context": None},  # deploys wherever its kubeconfig points: not compared
    {"registryHostPath": None},  # no node registry at all
    {"registryHostPath": "/var/lib/redis-filebeat/logging/filebeat-b"},
])
def test_stacks_that_cannot_meet_on_a_node_render(tmp_path, other):
    stack_file(tmp_path, "other", **other)
    assert render_stack_file(stack_file(tmp_path, "prod")).manifests["DaemonSet"]["filebeat"]


def test_a_stack_without_a_context_is_not_compared(tmp_path):
    stack_file(tmp_path, "other")
    assert render_stack_file(stack_file(tmp_path, "prod", context=None)).manifests


def test_an_invalid_neighbour_is_left_to_its_own_render(tmp_path):
    broken = stack_file(tmp_path, "broken")
    broken.write_text(broken.read_text().replace("filebeat:namespace", "filebeat:nmspace"))
    (tmp_path / "Pulumi.garbage.yaml").write_text("config: [")
    assert render_stack_file(stack_file(tmp_path, "prod")).manifests


def test_a_neighbour_whose_password_is_set_later_is_still_compared(tmp_path):
    # The common case: the password is set with `pulumi config set --secret`
    # just before `pulumi up`, so the file has none.
    other = stack_file(tmp_path, "other")
    text = yaml.safe_load(other.read_text())
    del text["config"]["redis-filebeat:redisPassword"]
    other.write_text(yaml.safe_dump(text))
    assert len(registry_errors(stack_file(tmp_path, "prod"))) == 1


def test_node_classes_of_one_stack_share_its_registry(tmp_path):
    classes = {"a": {"nodeSelector": {"pool": "a"}}, "b": {"nodeSelector": {"pool": "b"}}}
    rendered = render_stack_file(stack_file(tmp_path, "prod", nodeClasses=classes))
    paths = {v["hostPath"]["path"] for name in ("filebeat-a", "filebeat-b")
             for v in rendered.manifests["DaemonSet"][name]["spec"]["template"]["spec"]["volumes"]
             if v["name"] == "registry"}
    assert paths == {REGISTRY}


def test_a_flood_of_stack_files_is_refused_not_read(tmp_path):
    for n in range(MAX_NEIGHBOURS + 1):
        (tmp_path / f"Pulumi.s{n}.yaml").write_text("config: {}\n")
    lines = registry_errors(stack_file(tmp_path, "prod"))
    assert lines == [f"{tmp_path / 'Pulumi.prod.yaml'}: filebeat.registryHostPath: cannot be "
                     f"compared with other stacks: {MAX_NEIGHBOURS + 1} other stack files are "
                     f"beside this one, and at most {MAX_NEIGHBOURS} are read"]


def test_the_program_refuses_it_under_the_engine(tmp_path, monkeypatch):
    # `pulumi up` runs main() in the project folder, where stacks/ holds the files.
    (tmp_path / "stacks").mkdir()
    stack_file(tmp_path / "stacks", "other")
    stack_file(tmp_path / "stacks", "prod")
    monkeypatch.chdir(tmp_path)
    config = minimal() | {"namespace": "logging"}
    engine_config = raw(config)
    engine_config = type(engine_config)({**engine_config.values, "kubernetes:context": "kind-kind"},
                                        engine_config.secret_keys)
    render(engine_config, "other")  # the renderer's own program leaves it to render_stack_file
    with pytest.raises(Exception, match="is also the registry of stack prod"):
        render(engine_config, "other", program=main)
