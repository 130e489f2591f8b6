"""A rule that compares two keys blames the one an override changed, and that override."""

from components.config.errors import ConfigError, Problem
from tests.cli import cli
from tests.configs import ROOT

DEV = ROOT / "stacks" / "Pulumi.dev.yaml"


def test_a_rule_between_two_keys_names_the_one_the_set_changed():
    result = cli("render", "--stack", "dev", "--set",
                 "filebeat.image=docker.elastic.co/beats/filebeat:8.9.2")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [
        "--set filebeat.image=docker.elastic.co/beats/filebeat:8.9.2: filebeat.image: "
        "filebeat 8.9 cannot read the filebeat.yml that generateConfig writes, which needs "
        "filebeat 8.10 or later; use a newer image, or set generateConfig false to run the "
        "image's own filebeat.yml"]


def test_the_other_key_is_named_when_the_set_changed_that_one():
    # The demo stack runs the tutorial's filebeat 5.6 with its own filebeat.yml.
    result = cli("render", "--stack", "demo", "--set", "filebeat.generateConfig=true")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        "--set filebeat.generateConfig=true: filebeat.generateConfig: filebeat 5.6 cannot "
        "read"), result.stderr


IMAGE_RULE = Problem("filebeat.image", "m", ("filebeat.generateConfig",))


def test_with_no_override_the_rule_names_its_own_key_and_the_file():
    assert ConfigError("stack.yaml", [IMAGE_RULE]).lines() == "stack.yaml: filebeat.image: m"


def test_an_override_of_the_named_key_itself_wins():
    error = ConfigError("stack.yaml", [IMAGE_RULE],
                        {"filebeat.image": "--set a", "filebeat.generateConfig": "--set b"})
    assert error.lines() == "--set a: filebeat.image: m"


def test_an_override_of_the_mapping_around_both_names_the_rules_own_key():
    error = ConfigError("stack.yaml", [IMAGE_RULE], {"filebeat": "values.yaml"})
    assert error.lines() == "values.yaml: filebeat.image: m"


def test_turning_the_generated_config_off_names_the_set_that_did(tmp_path):
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text("config:\n"
                     "  redis-filebeat:redis: {image: 'redis:7', auth: false}\n"
                     "  redis-filebeat:filebeat:\n"
                     "    image: docker.elastic.co/beats/filebeat:8.15.3\n"
                     "    extraConfig: {queue.mem.events: 64}\n")
    result = cli("render", "--config", str(stack), "--set", "filebeat.generateConfig=false")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "--set filebeat.generateConfig=false: filebeat.generateConfig: extraConfig goes into "
        "the generated filebeat.yml, and generateConfig is false; write it into your own "
        "filebeat.yml"]


def test_an_unknown_set_key_too_long_to_show_whole_names_the_set():
    key = "filebeat." + "a" * 70
    result = cli("render", "--stack", "dev", "--set", f"{key}=1")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        f"--set {key}=1: filebeat.'aaaa"), result.stderr


def test_an_unknown_set_key_with_a_space_names_the_set():
    result = cli("render", "--stack", "dev", "--set", "filebeat.log level=1")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        "--set filebeat.log level=1: filebeat.'log level': unknown key"), result.stderr
