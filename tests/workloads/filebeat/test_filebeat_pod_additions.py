"""A Python program's own additions to filebeat's pods (PodAdditions): env, files and
args after filebeat's own, and a refusal of anything that would take over its wiring.

Apart from test_filebeat.py because these come from the program calling `build`, not
from a setting in the stack's config."""

import pytest

from tests.configs import minimal, render_config


def _with_extra(extra):
    """The project's program, with a program's own additions to filebeat's pods."""
    from components.config.stack.parse import parse_config
    from components.workloads.program import build, runtime_config

    def program():
        return build(parse_config(runtime_config(), "<render_config>"),
                     filebeat_extra=extra)
    return program


def test_a_program_adds_env_files_and_args_after_filebeats_own():
    from pulumi_kubernetes.core.v1 import EnvVarArgs

    from components import PodAdditions

    extra = PodAdditions(env=[EnvVarArgs(name="SITE", value="lab")],
                         files={"site.yml": "fields: {site: lab}\n"},
                         args=["-c", "/etc/filebeat/site.yml"])
    manifests = render_config(minimal(), program=_with_extra(extra)).manifests
    [container] = manifests["DaemonSet"]["filebeat"]["spec"]["template"]["spec"]["containers"]
    assert container["args"][-3:] == ["-c", "/etc/filebeat/site.yml", "-e"]
    assert container["args"][:2] == ["-c", "/etc/filebeat/filebeat.yml"]
    assert {"name": "SITE", "value": "lab"} in container["env"]
    data = manifests["ConfigMap"]["filebeat-config"]["data"]
    assert set(data) == {"filebeat.yml", "site.yml"}


@pytest.mark.parametrize(("extra", "message"), [
    ({"service_account_name": "mine"}, "Filebeat's extra sets service_account_name: filebeat "
                                       "sets those itself"),
    ({"files": {"filebeat.yml": "x"}}, "Filebeat's extra.files has filebeat.yml"),
])
def test_a_program_cannot_take_over_what_filebeat_wires(extra, message):
    from components import PodAdditions

    with pytest.raises(ValueError, match=message):
        render_config(minimal(), program=_with_extra(PodAdditions(**extra)))
