"""SELinux-enforcing nodes: seLinuxOptions, and privileged only when asked for."""

import importlib.util

import pytest

from tests.configs import ROOT, minimal, refused, render_config, with_filebeat
from tests.kube_schema import OLDEST_AND_NEWEST, validate

spec = importlib.util.spec_from_file_location("policy_rules", ROOT / "policy" / "rules.py")
assert spec and spec.loader
rules = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rules)


def daemon_set(config: dict) -> dict:
    return render_config(config).manifests["DaemonSet"]["filebeat"]


def security(config: dict) -> dict:
    return daemon_set(config)["spec"]["template"]["spec"]["containers"][0]["securityContext"]


def waived(ds: dict) -> dict[str, str]:
    return dict(v.split("=", 1) for k, v in ds["metadata"]["annotations"].items()
                if k.startswith("checkov.io/skip"))


def test_defaults_neither_privileged_nor_relabelled():
    context = security(minimal())
    assert context["privileged"] is False
    assert context["allowPrivilegeEscalation"] is False
    assert "seLinuxOptions" not in context
    assert not {"CKV_K8S_16", "CKV_K8S_20"} & set(waived(daemon_set(minimal())))


def test_selinux_options_on_the_container():
    context = security(with_filebeat(seLinuxOptions={"type": "spc_t"}))
    assert context["seLinuxOptions"] == {"type": "spc_t"}
    assert context["privileged"] is False and context["allowPrivilegeEscalation"] is False
    full = security(with_filebeat(seLinuxOptions={
        "user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0:c1,c2"}))
    assert full["seLinuxOptions"] == {"user": "system_u", "role": "system_r", "type": "spc_t",
                                      "level": "s0:c1,c2"}


def test_privileged_when_asked_for_with_its_waivers():
    ds = daemon_set(with_filebeat(privileged=True))
    context = ds["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    assert context["privileged"] is True
    # The API refuses privileged together with allowPrivilegeEscalation false.
    assert "allowPrivilegeEscalation" not in context
    reasons = waived(ds)
    for check in ("CKV_K8S_16", "CKV_K8S_20"):
        assert "privileged: true" in reasons[check]
    assert "privileged" in reasons["CKV_K8S_23"]  # root, without "every capability dropped"


def test_the_policy_pack_refuses_a_privileged_filebeat():
    """The pack guards every program: privileged is a decision it must see."""
    limited = {"resources": {"limits": {"memory": "200Mi"}}}
    body = daemon_set(with_filebeat(privileged=True, **limited))
    assert rules.pod_security_gaps("kubernetes:apps/v1:DaemonSet", body) == [
        "container filebeat: set privileged: false, allowPrivilegeEscalation: false"]
    relabelled = daemon_set(with_filebeat(seLinuxOptions={"type": "spc_t"}, **limited))
    assert rules.pod_security_gaps("kubernetes:apps/v1:DaemonSet", relabelled) == []


@pytest.mark.parametrize(("options", "message"), [
    ({}, "filebeat.seLinuxOptions: is empty; set at least one of user, role, type and level, "
         "or leave seLinuxOptions out"),
    ({"type": "spc t"}, "filebeat.seLinuxOptions.type: must be one word, without ':' (it "
                        "separates the parts of a label)"),
    ({"user": "a:b"}, "filebeat.seLinuxOptions.user: must be one word, without ':' (it "
                      "separates the parts of a label)"),
    ({"level": "s0 c1"}, "filebeat.seLinuxOptions.level: must be one word"),
    ({"kind": "spc_t"}, "filebeat.seLinuxOptions.kind: unknown key"),
])
def test_bad_selinux_options_are_refused(options, message):
    assert refused(with_filebeat(seLinuxOptions=options)) == [
        f"<render_config>: {message}"]


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
@pytest.mark.parametrize("fields", [
    {"seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0"}},
    {"privileged": True, "seLinuxOptions": {"type": "spc_t"}},
])
def test_every_object_fits_the_oldest_and_newest_schema(fields, version):
    for manifest in render_config(with_filebeat(**fields)).manifests.objects:
        validate(manifest.body, version)
