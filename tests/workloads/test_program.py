"""The Pulumi program itself, as the engine runs it: validate first, then build."""

import asyncio
import subprocess
import sys
import textwrap

import pulumi
import pytest
import yaml

from components import build
from components.render.mockrun import run_with_mocks
from components.workloads.program import main
from tests.configs import PASSWORD, ROOT, minimal, raw, render_config, stack_config, with_filebeat


def test_invalid_config_fails_before_anything_is_registered():
    failures = []

    def program():
        try:
            main()
        except pulumi.RunError as error:  # how the engine gets it: no traceback
            failures.append(str(error))

    bad = with_filebeat(updateStrategy={"type": "OnDelete", "maxUnavailable": 1})
    capture = run_with_mocks(program, "bad", raw(bad))
    assert capture.resources == []
    assert failures == [
        "stacks/Pulumi.bad.yaml: filebeat.updateStrategy.maxUnavailable: is not allowed with "
        "type OnDelete: pods are replaced only when you delete them, so there is no rollout "
        "to tune"]


def test_unknown_top_level_key_is_caught_by_the_program_too():
    with pytest.raises(pulumi.RunError) as caught:
        run_with_mocks(main, "dev", raw(minimal() | {"namepsace": "x"}))
    assert str(caught.value) == (
        "stacks/Pulumi.dev.yaml: namepsace: unknown key; did you mean 'namespace'?")


def test_valid_config_registers_components_and_their_children():
    capture = run_with_mocks(main, "dev", raw(minimal()))
    registered = {(r.type, r.name) for r in capture.resources}
    assert registered == {
        ("redis-filebeat:components:Redis", "redis"),
        ("kubernetes:core/v1:ConfigMap", "redis-config"),
        ("kubernetes:core/v1:Secret", "redis-auth"),
        ("kubernetes:apps/v1:Deployment", "redis"),
        ("kubernetes:core/v1:Service", "redis"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis"),
        ("redis-filebeat:components:Filebeat", "filebeat"),
        ("redis-filebeat:components:NodeDaemon", "filebeat"),
        ("kubernetes:core/v1:Secret", "filebeat-redis-auth"),
        ("kubernetes:core/v1:ServiceAccount", "filebeat"),
        ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "filebeat"),
        ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "filebeat"),
        ("kubernetes:core/v1:ConfigMap", "filebeat-config"),
        ("kubernetes:apps/v1:DaemonSet", "filebeat"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "filebeat"),
        ("kubernetes:core/v1:ResourceQuota", "filebeat-critical-pods"),
    }


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {}, None


@pytest.fixture
def plain_pulumi_mocks():
    """The way Pulumi's docs set up unit tests, for users who don't use our kit."""
    from pulumi.runtime import settings

    saved = dict(vars(settings.SETTINGS))
    # set_mocks creates the root Stack on the main thread's loop, which
    # asyncio makes on demand, unless a test before this one (asyncio.run)
    # set it to None. Then make it, as asyncio would have.
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_mocks(_Mocks(), project="redis-filebeat", stack="unit", preview=False)
    yield
    vars(settings.SETTINGS).clear()
    vars(settings.SETTINGS).update(saved)


@pulumi.runtime.test
def test_components_work_under_plain_pulumi_mocks(plain_pulumi_mocks):
    config = stack_config(minimal() | {"namespace": "logging"})
    stack = build(config)

    def check(values):
        host, port, names = values
        assert host == "redis.logging.svc.cluster.local"
        assert port == 6379
        assert names == ["filebeat"]

    return pulumi.Output.all(stack.redis.host, stack.redis.port, stack.filebeat.names).apply(check)


def test_kit_renders_from_inside_a_running_event_loop():
    async def inside():
        return render_config(minimal())

    out = asyncio.run(inside())
    assert set(out.manifests["DaemonSet"]) == {"filebeat"}


def test_kit_leaves_the_pulumi_runtime_as_it_found_it():
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import settings

    before = dict(vars(settings.SETTINGS))
    root, config = settings.ROOT.get(), dict(runtime_config.CONFIG.get())
    render_config(minimal() | {"namespace": "logging"})
    assert dict(vars(settings.SETTINGS)) == before
    assert settings.ROOT.get() is root
    assert runtime_config.CONFIG.get() == config
    assert "redis-filebeat:namespace" not in runtime_config.CONFIG.get()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_run_pauses_the_cycle_collector_and_puts_it_back(enabled):
    import gc

    seen = []

    def program():
        seen.append(gc.isenabled())
        main()

    def failing():
        raise RuntimeError("boom")

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        run_with_mocks(program, "dev", raw(minimal()))
        assert seen == [False]
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError, match="boom"):
            run_with_mocks(failing, "dev", raw(minimal()))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_kit_takes_a_stack_config_object():
    config = stack_config(minimal())
    assert render_config(config).manifests.to_yaml() == render_config(minimal()).manifests.to_yaml()


def test_kit_fixture(render_config):
    out = render_config(minimal(), secrets={"redisPassword": PASSWORD})
    assert out.outputs["daemonSetName"] == "filebeat"



class StackFileAt:
    """A path-like that is not a pathlib.Path, as a user's own type may be."""

    def __init__(self, path):
        self.path = path

    def __fspath__(self) -> str:
        return str(self.path)


def test_kit_renders_a_stack_file_named_by_a_str_or_any_path_like(tmp_path, monkeypatch):
    from components.testing import render_stack_file

    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.kit.yaml").write_text(yaml.safe_dump(
        {"config": {f"redis-filebeat:{key}": value for key, value in minimal().items()}}))
    expected = render_stack_file(tmp_path / "Pulumi.kit.yaml")
    for given in ("Pulumi.kit.yaml", StackFileAt(tmp_path / "Pulumi.kit.yaml")):
        rendered = render_stack_file(given)
        assert rendered.manifests.to_yaml() == expected.manifests.to_yaml()
    assert rendered.notes == expected.notes  # the same stack file, named the same way
    assert render_stack_file("Pulumi.kit.yaml").notes[0].startswith("Pulumi.kit.yaml: ")


def test_kit_errors_name_the_config_as_given_not_a_stack_file_that_does_not_exist():
    from components.config.errors import ConfigError
    from components.testing import render_config as kit_render_config

    for stack in ("test", "prod"):
        with pytest.raises(ConfigError) as caught:
            kit_render_config(with_filebeat(name="Filebeat"), stack=stack)
        assert str(caught.value).startswith("<render_config>: filebeat.name: ")


def test_kit_secrets_are_used_and_still_print_as_secret():
    from components.testing import render_config as kit_render_config

    placeholder = kit_render_config(minimal())
    rendered = kit_render_config(minimal(), secrets={"redisPassword": PASSWORD})
    assert rendered.notes == ()
    assert rendered.manifests["Secret"]["redis-auth"]["stringData"]["password"] == "[secret]"
    template = rendered.manifests["Deployment"]["redis"]["spec"]["template"]
    checksum = template["metadata"]["annotations"]["checksum/redis-auth"]
    assert checksum != "[secret]"  # derived from the password given, as pulumi up derives it
    assert placeholder.manifests["Deployment"]["redis"]["spec"]["template"]["metadata"][
        "annotations"]["checksum/redis-auth"] == "[secret]"


def test_kit_imports_and_renders_where_pytest_is_not_installed():
    # The runtime virtualenv is built from requirements.txt, which has no pytest.
    probe = textwrap.dedent("""
        import sys
        sys.modules["pytest"] = sys.modules["_pytest"] = None  # as if not installed
        import components.testing as kit
        from tests.configs import minimal
        print(kit.render_config(minimal()).outputs["daemonSetName"],
              hasattr(kit, "render_config_fixture"))
    """)
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["filebeat", "False"]
