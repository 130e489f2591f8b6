"""The redis password: from a Pulumi secret into Kubernetes Secrets, and nowhere else."""


import hashlib

import pulumi
import pytest

from components.config.errors import ConfigError
from components.project import UNDECRYPTED
from components.render.capture import RenderError
from components.render.mockrun import run_with_mocks
from components.render.renderer import raw_config
from components.workloads.program import main
from tests.cli import cli
from tests.configs import ROOT, minimal, render_config, with_redis

PASSWORD = "correct-horse-battery-staple-42"


def test_the_password_never_appears_in_a_render():
    out = render_config(minimal(), secrets={"redisPassword": PASSWORD})
    text = out.manifests.to_yaml()
    assert PASSWORD not in text
    assert PASSWORD not in str(out.outputs)
    assert text.count("[secret]") == 4  # redis-auth: 2 keys, filebeat-redis-auth: 2


def test_the_password_never_appears_in_a_rendered_folder(tmp_path):
    stack = tmp_path / "Pulumi.s.yaml"
    stack.write_text("config:\n"
                     "  redis-filebeat:redis: {image: redis:7.4-alpine}\n"
                     "  redis-filebeat:filebeat: {image: docker.elastic.co/beats/filebeat:8.15.3}\n"
                     "  redis-filebeat:redisPassword:\n"
                     "    secure: v1:AAAABBBBCCCCDDDD\n")
    result = cli("render", "--config", str(stack), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    files = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert "v1:AAAABBBBCCCCDDDD" not in "".join(files.values())
    assert "[secret]" in files["secret-redis-auth.yaml"]
    assert "note:" not in result.stderr  # the stack file has it: nothing assumed


def test_a_stack_without_the_password_renders_with_a_note():
    result = cli("render", "--stack", "dev")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert notes == [
        f"note: {ROOT}/stacks/Pulumi.dev.yaml: redisPassword: not set; rendered as [secret]. "
        "`pulumi up` needs it: pulumi config set --secret redis-filebeat:redisPassword "
        "<password>"]


def test_the_engine_refuses_to_deploy_without_it():
    with pytest.raises(pulumi.RunError) as caught:
        run_with_mocks(main, "dev", raw_config(minimal()))
    assert str(caught.value) == (
        "stacks/Pulumi.dev.yaml: redisPassword: is required because redis.auth is true; set it "
        "with `pulumi config set --secret redis-filebeat:redisPassword "
        "\"$(openssl rand -base64 24)\"`, or name a Secret that holds it with "
        "redis.existingSecret")


def test_a_plain_text_password_is_refused(tmp_path):
    stack = tmp_path / "Pulumi.plain.yaml"
    stack.write_text("config:\n"
                     "  redis-filebeat:redis: {image: redis:7}\n"
                     "  redis-filebeat:filebeat: {image: docker.elastic.co/beats/filebeat:8.15.3}\n"
                     f"  redis-filebeat:redisPassword: {PASSWORD}\n")
    result = cli("render", "--config", str(stack))
    assert result.returncode == 2
    assert result.stderr == (
        f"{stack}: redisPassword: is stored in plain text in the stack file; set it with "
        "`pulumi config set --secret redis-filebeat:redisPassword` so it is encrypted\n")
    assert PASSWORD not in result.stderr


@pytest.mark.parametrize(("password", "message"), [
    ("short", "must have at least 16 characters"),
    ("x" * 513, "must have at most 512 characters"),
    ("sixteen-chars-and\nnewline", "must not contain control characters or line breaks"),
    ("sixteen-chars-${HOME}", "must not contain '${': filebeat would expand it as a variable"),
])
def test_password_rules_never_quote_the_password(password, message):
    with pytest.raises(ConfigError) as caught:
        render_config(minimal(), secrets={"redisPassword": password})
    assert str(caught.value) == f"<render_config>: redisPassword: {message}"


def test_a_password_without_auth_is_refused():
    with pytest.raises(ConfigError,
                       match="redisPassword: redisPassword is set, but redis.auth is false"):
        render_config(with_redis(auth=False), secrets={"redisPassword": PASSWORD})


def test_other_keys_still_refuse_secrets():
    with pytest.raises(ConfigError, match="namespace: is stored as a secret, but this key is "
                                          "written into the manifests in plain text"):
        render_config(minimal(), secrets={"namespace": "hunter2", "redisPassword": PASSWORD})


def test_a_password_that_spells_a_path_is_not_a_leak():
    """The leak check compares renders; it does not search for the value."""
    out = render_config(minimal(), secrets={"redisPassword": "/var/log/containers"})
    assert "/var/log/containers/*.log" in out.manifests.to_yaml()


@pytest.mark.parametrize("derive", [lambda s: s, lambda s: s.upper()[::-1]],
                         ids=["as-is", "derived"])
def test_a_program_that_prints_a_secret_is_stopped(derive):
    from pulumi_kubernetes.core.v1 import ConfigMap
    from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

    def leaky():
        main()
        password = pulumi.Config("redis-filebeat").get("redisPassword")  # not get_secret
        ConfigMap("leak", metadata=ObjectMetaArgs(name="leak", namespace="default"),
                  data={"password": derive(password)})

    with pytest.raises(RenderError) as caught:
        render_config(minimal(), secrets={"redisPassword": PASSWORD}, program=leaky)
    assert str(caught.value) == (
        "ConfigMap default/leak: would print a secret config value in plain text; it reached "
        "the output without being marked secret")


@pytest.mark.parametrize(("password", "runs"), [(PASSWORD, 2), (None, 1)],
                         ids=["real-secret", "undecrypted-placeholder"])
def test_only_a_real_secret_costs_the_second_leak_checking_run(password, runs):
    from components.project import PROJECT, UNDECRYPTED, RawConfig
    from components.render.renderer import render

    calls = []

    def counted():
        calls.append(1)
        return main()

    raw = raw_config(minimal(), {"redisPassword": password or UNDECRYPTED})
    assert raw.secret_keys == {f"{PROJECT}:redisPassword"} and isinstance(raw, RawConfig)
    render(raw, "test", program=counted)
    assert len(calls) == runs


def auth_checksums(out) -> dict[str, str]:
    manifests = out.manifests
    templates = {"redis": manifests["Deployment"]["redis"],
                 "filebeat": manifests["DaemonSet"]["filebeat"]}
    return {name: body["spec"]["template"]["metadata"]["annotations"]["checksum/redis-auth"]
            for name, body in templates.items()}


def test_rotating_the_password_rolls_redis_and_filebeat():
    first = auth_checksums(render_config(minimal(), secrets={"redisPassword": "a" * 20}))
    again = auth_checksums(render_config(minimal(), secrets={"redisPassword": "a" * 20}))
    rotated = auth_checksums(render_config(minimal(), secrets={"redisPassword": "b" * 20}))
    assert first == again and first["redis"] == first["filebeat"]
    assert rotated["redis"] != first["redis"] and rotated["filebeat"] != first["filebeat"]


def test_the_published_digest_is_salted_and_no_plain_hash():
    password = "c" * 20
    here = auth_checksums(render_config(minimal(), secrets={"redisPassword": password}))
    elsewhere = auth_checksums(render_config(minimal() | {"namespace": "logging"},
                                             secrets={"redisPassword": password}))
    assert here["redis"] != elsewhere["redis"]  # no table of digests serves two stacks
    digest = here["redis"]
    assert len(digest) == 16 and password not in digest
    assert all(digest not in getattr(hashlib, name)(password.encode()).hexdigest()
               for name in ("md5", "sha1", "sha256", "sha512"))


def test_an_undecrypted_password_renders_no_digest():
    assert set(auth_checksums(render_config(
        minimal(), secrets={"redisPassword": UNDECRYPTED})).values()) == {"[secret]"}
