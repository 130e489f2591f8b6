"""`render` refusing a stack it cannot read: exit code 2, nothing on stdout, and one
line per problem on stderr naming the file, never a traceback or a secret.

These start from a stack file on disk (or a stack that is not there) and check what
the command answers; what a readable stack renders to is in test_render.py."""

import pytest

from tests.cli import cli, cli_process


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
