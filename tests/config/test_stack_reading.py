"""A render reads its stack file once and validates it once, the stack files
beside it only when they changed, and the password a stack leaves to `pulumi
config set --secret` is waived by one rule."""

import collections
import re

import pytest
import yaml

import components.config.files.stack_file as stack_file_module
from components.config.errors import ConfigError
from components.config.stack.model import StackConfig
from components.config.stack.parse import parse_leaving_password_to_pulumi
from components.project import UNDECRYPTED
from components.render.renderer import raw_config, render_stack_file
from tests.cli import cli
from tests.configs import PASSWORD, ROOT, minimal

SECURE = {"secure": "v1:c2VjcmV0"}


def write_stack(folder, name, namespace, context="kind-kind"):
    values = {f"redis-filebeat:{key}": value for key, value in minimal().items()}
    values |= {"redis-filebeat:namespace": namespace, "kubernetes:context": context,
               "redis-filebeat:redisPassword": SECURE}
    path = folder / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return path


@pytest.fixture
def counted(monkeypatch):
    """Stack-file reads by path, through the one reader, and validations of a
    `StackConfig` by the namespace they validate."""
    reads: collections.Counter = collections.Counter()
    validations: collections.Counter = collections.Counter()
    read_file = stack_file_module.read_file
    validate = StackConfig.model_validate

    def counting_read(path, *args, **kwargs):
        reads[path] += 1
        return read_file(path, *args, **kwargs)

    def counting_validate(data, *args, **kwargs):
        validations[data.get("namespace")] += 1
        return validate(data, *args, **kwargs)

    monkeypatch.setattr(stack_file_module, "read_file", counting_read)
    monkeypatch.setattr(StackConfig, "model_validate", counting_validate)
    return reads, validations


@pytest.mark.parametrize("how", ["cli", "kit"])
def test_a_render_reads_its_stack_file_once_and_validates_it_once(tmp_path, counted, how):
    reads, validations = counted
    stack = write_stack(tmp_path, "prod", "prod")
    write_stack(tmp_path, "staging", "staging")  # on the same context: it is compared
    if how == "cli":
        assert cli("render", "--config", str(stack)).returncode == 0
    else:
        render_stack_file(stack)
    assert reads[stack] == 1
    # Once by the renderer, whose config the neighbour check is handed, and
    # once by the program itself under mocks, as under `pulumi up`.
    assert validations["prod"] == 2
    assert validations["staging"] == 1


def test_a_second_render_reads_no_unchanged_neighbour_again(tmp_path, counted):
    reads, validations = counted
    stack = write_stack(tmp_path, "prod", "prod")
    staging = write_stack(tmp_path, "staging", "staging")
    render_stack_file(stack)
    render_stack_file(stack)
    assert (reads[staging], validations["staging"]) == (1, 1)


def test_a_changed_neighbour_is_read_again(tmp_path, counted):
    reads, validations = counted
    stack = write_stack(tmp_path, "prod", "logging")
    staging = write_stack(tmp_path, "staging", "elsewhere")
    render_stack_file(stack)
    write_stack(tmp_path, "staging", "logging")  # now the same registry
    with pytest.raises(ConfigError, match="also the registry of stack staging"):
        render_stack_file(stack)
    assert (reads[staging], validations["elsewhere"]) == (2, 1)


def test_a_neighbour_whose_project_file_changed_is_read_again(tmp_path, counted):
    reads, _ = counted
    (tmp_path / "stacks").mkdir()
    stack = write_stack(tmp_path / "stacks", "prod", "logging")
    staging = write_stack(tmp_path / "stacks", "staging", "logging", context="kind-other")
    project = tmp_path / "Pulumi.yaml"
    project.write_text("name: redis-filebeat\nruntime: python\n")
    render_stack_file(stack)
    # Pulumi.yaml's config applies to every stack that does not set the key.
    text = yaml.safe_load(staging.read_text())
    del text["config"]["kubernetes:context"]
    staging.write_text(yaml.safe_dump(text))
    render_stack_file(stack)
    project.write_text("name: redis-filebeat\nruntime: python\n"
                       "config:\n  kubernetes:context: kind-kind\n")
    with pytest.raises(ConfigError, match="also the registry of stack staging"):
        render_stack_file(stack)
    assert reads[staging] == 3


def test_a_neighbour_on_another_context_is_read_but_not_validated(tmp_path, counted):
    reads, validations = counted
    stack = write_stack(tmp_path, "prod", "prod")
    staging = write_stack(tmp_path, "staging", "staging", context="kind-other")
    render_stack_file(stack)
    assert (reads[staging], validations["staging"]) == (1, 0)


def test_a_password_left_to_pulumi_is_validated_as_a_placeholder():
    parsed = parse_leaving_password_to_pulumi(raw_config(minimal()), "here")
    assert parsed.password_left_to_pulumi
    assert parsed.config.redis_password.get_secret_value() == UNDECRYPTED
    assert parsed.raw.values["redis-filebeat:redisPassword"] == UNDECRYPTED
    assert "redis-filebeat:redisPassword" in parsed.raw.secret_keys


def test_a_password_that_is_set_is_validated_as_it_is():
    given = raw_config(minimal(), {"redisPassword": PASSWORD})
    parsed = parse_leaving_password_to_pulumi(given, "here")
    assert not parsed.password_left_to_pulumi and parsed.raw is given
    with pytest.raises(ConfigError, match="redisPassword: must have at least 16"):
        parse_leaving_password_to_pulumi(raw_config(minimal(), {"redisPassword": "short"}), "x")


def test_every_other_problem_is_still_refused():
    config = minimal() | {"namespce": "x"}
    with pytest.raises(ConfigError) as caught:
        parse_leaving_password_to_pulumi(raw_config(config), "here")
    assert str(caught.value).splitlines() == [
        "here: namespce: unknown key; did you mean 'namespace'?"]


def test_the_password_is_waived_in_one_place():
    # The renderer, the test kit and the neighbour check all read a stack
    # whose password is set later; one helper says how (config/stack/parse.py).
    waivers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "components").rglob("*.py")
                     if re.search(r"\bPASSWORD_REQUIRED\b", p.read_text()))
    assert waivers == ["components/config/stack/model.py", "components/config/stack/parse.py"]
