"""Reading stack files: what Pulumi reads, the project file's config, a newcomer's errors."""

import pytest

from tests.cli import cli

STACK = """\
config:
  redis-filebeat:redis: {image: "redis:7", auth: false}
  redis-filebeat:filebeat: {image: "docker.elastic.co/beats/filebeat:8.15.3"}
"""


def project(tmp_path, project_yaml: str, stack: str = STACK):
    (tmp_path / "Pulumi.yaml").write_text("name: redis-filebeat\nruntime: python\n" + project_yaml)
    (tmp_path / "stacks").mkdir()
    path = tmp_path / "stacks" / "Pulumi.x.yaml"
    path.write_text(stack)
    return path


def rendered(path) -> str:
    result = cli("render", "--config", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_project_files_defaults_and_values_apply_to_every_stack(tmp_path):
    out = rendered(project(tmp_path, "config:\n  namespace: {type: string, default: team-logs}\n"
                                      "  redis-filebeat:clusterDomain: {value: cluster.example}\n"))
    assert "namespace: team-logs" in out
    assert "value: redis.team-logs.svc.cluster.example" in out


def test_the_stack_file_wins_over_the_project_file(tmp_path):
    stack = STACK + "  redis-filebeat:namespace: mine\n"
    out = rendered(project(tmp_path, "config:\n  namespace: {default: team-logs}\n", stack))
    assert "namespace: mine" in out and "team-logs" not in out


@pytest.mark.parametrize(("block", "message"), [
    ("config:\n  redisPassword: {secret: true, default: hunter2hunter2hunter2}\n",
     "config: redisPassword: a secret has no place in the project file; set it per stack "
     "with `pulumi config set --secret`"),
    ("config:\n  namespace: logging\n",
     "config: namespace: give it as {default: ...} (a key without a namespace declares the "
     "project's own config)"),
])
def test_what_the_project_file_may_not_say(tmp_path, block, message):
    result = cli("render", "--config", str(project(tmp_path, block)))
    assert (result.returncode, result.stderr) == (2, f"{tmp_path / 'Pulumi.yaml'}: {message}\n")


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty; a stack file gives the stack's keys under config:, and "
         "redis-filebeat:redis and redis-filebeat:filebeat are required"),
    ("- a\n", "must be a mapping, with the stack's keys under config: (got a list)"),
    ("confg:\n  redis-filebeat:redis: {image: x}\n",
     "confg: not a key of a stack file; did you mean 'config'?"),
])
def test_a_file_that_is_no_stack_file_says_why(tmp_path, text, message):
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(text)
    result = cli("render", "--config", str(path))
    assert (result.returncode, result.stderr) == (2, f"{path}: {message}\n")


def test_pulumis_own_stack_file_keys_are_accepted(tmp_path):
    stack = "secretsprovider: passphrase\nencryptionsalt: v1:abc\n" + STACK
    assert "kind: DaemonSet" in rendered(project(tmp_path, "", stack))


def test_a_bad_value_from_the_project_file_names_it(tmp_path):
    path = project(tmp_path, "config:\n  redis-filebeat:clusterDomain: {value: Not_A_Domain}\n")
    result = cli("render", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"{tmp_path / 'Pulumi.yaml'}: clusterDomain: "), result.stderr


def user_project(tmp_path, project_yaml: str, folder: str) -> None:
    """A user's own project: Pulumi.yaml, and stack x in `folder` below it."""
    (tmp_path / "Pulumi.yaml").write_text("name: redis-filebeat\nruntime: python\n"
                                          + project_yaml)
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / "Pulumi.x.yaml").write_text(STACK)


@pytest.mark.parametrize(("project_yaml", "folder"), [
    ("", "."),  # Pulumi's default: beside Pulumi.yaml
    ("stackConfigDir: stacks\n", "stacks"),
    ("stackConfigDir: deploy/stacks\n", "deploy/stacks"),
])
def test_a_stack_name_is_found_where_pulumi_looks(tmp_path, monkeypatch, project_yaml, folder):
    user_project(tmp_path, project_yaml + "config:\n  namespace: {default: team-logs}\n", folder)
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")  # anywhere in the project, as with pulumi
    result = cli("render", "--stack", "x")
    assert result.returncode == 0, result.stderr
    # The project file's config applies, however deep its stack folder.
    assert "namespace: team-logs" in result.stdout


@pytest.mark.parametrize(("project_yaml", "folder", "why"), [
    ("", ".", "beside {project}, which sets no stackConfigDir"),
    ("stackConfigDir: deploy/stacks\n", "deploy/stacks", "the stackConfigDir of {project}"),
])
def test_a_missing_stack_says_where_it_was_looked_for(tmp_path, monkeypatch, project_yaml,
                                                       folder, why):
    user_project(tmp_path, project_yaml, folder)
    monkeypatch.chdir(tmp_path)
    result = cli("render", "--stack", "y")
    stacks = (tmp_path / folder).resolve()
    assert (result.returncode, result.stderr) == (2, (
        f"{stacks / 'Pulumi.y.yaml'}: no stack 'y'; the stacks in {stacks} "
        f"({why.format(project=tmp_path / 'Pulumi.yaml')}) are x; or name a stack file with "
        "--config PATH\n"))


def test_outside_any_project_it_says_so(tmp_path, monkeypatch):
    import components.config.files.project_file as project_file

    monkeypatch.setattr(project_file, "CHECKOUT", tmp_path)  # as an installed package
    monkeypatch.chdir(tmp_path)
    result = cli("render", "--stack", "y")
    stacks = tmp_path.resolve() / "stacks"
    assert (result.returncode, result.stderr) == (2, (
        f"{stacks / 'Pulumi.y.yaml'}: no stack 'y'; {stacks} (no Pulumi.yaml in "
        f"{tmp_path.resolve()} or any folder above it) holds no stack files; or name a stack "
        "file with --config PATH\n"))


def test_a_stack_config_dir_that_is_no_folder_is_refused(tmp_path, monkeypatch):
    user_project(tmp_path, "stackConfigDir: [stacks]\n", "stacks")
    monkeypatch.chdir(tmp_path)
    result = cli("render", "--stack", "x")
    assert (result.returncode, result.stderr) == (2, (
        f"{tmp_path / 'Pulumi.yaml'}: stackConfigDir: must be a folder, relative to the "
        "project file\n"))


@pytest.mark.parametrize(("lines", "message"), [
    # A key of ours, written without the namespace.
    ("  namespace: logging\n", "namespace: has no namespace; write redis-filebeat:namespace"),
    # Keys of redis or filebeat, not of the stack: redis-filebeat:<key> would be refused too.
    ("  resources:\n    limits: {memory: 128Mi}\n",
     "resources: looks mis-indented: it is no key of redis-filebeat's own but one of "
     "redis and filebeat; indent it under the one it belongs to"),
    ("  persistence: {enabled: true}\n",
     "persistence: looks mis-indented: it is no key of redis-filebeat's own but one of "
     "redis; indent it under redis-filebeat:redis"),
    ("  namespce: logging\n",
     "namespce: has no namespace, and is no key of redis-filebeat; did you mean "
     "'redis-filebeat:namespace'?"),
    ("  colour: blue\n",
     "colour: has no namespace, and is no key of redis-filebeat; another package's key is "
     "written <package>:colour"),
])
def test_a_key_without_a_namespace_is_told_where_it_belongs(tmp_path, lines, message):
    path = project(tmp_path, "", STACK.replace("config:\n", "config:\n" + lines))
    result = cli("render", "--config", str(path))
    assert (result.returncode, result.stderr) == (2, f"{path}: {message}\n")


def test_a_key_that_was_not_read_sets_off_no_rule_that_needs_it(tmp_path):
    # Read without its namespace, `namespace` stays 'default', which
    # createNamespace may not create: a line about a mistake not made.
    stack = STACK.replace("config:\n", "config:\n  namespace: logging\n"
                                       "  redis-filebeat:createNamespace: true\n")
    result = cli("render", "--config", str(project(tmp_path, "", stack)))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'stacks' / 'Pulumi.x.yaml'}: namespace: has no namespace; "
        "write redis-filebeat:namespace"]
