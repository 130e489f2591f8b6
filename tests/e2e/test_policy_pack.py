"""The policy pack (policy/) under the real CLI: `pulumi preview --policy-pack`.

A program of plain pulumi_kubernetes resources (policy_probe/) breaks each
rule: every violation is reported, and the mandatory ones fail the preview.
The same program with every rule kept passes, and so does our own dev stack.
The pack runs through the language host's RunPlugin, with its own virtualenv
(policy/.venv, which .ci/run creates).
"""

import os

import pytest
import yaml

from tests.e2e.cluster import ROOT, current_context, e2e_stack_text, unavailable
from tests.e2e.stack import ThrowawayStack, project_copy

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
STEPS_IN_ORDER = False

PACK = ROOT / "policy"
PROBE = ROOT / "tests" / "e2e" / "policy_probe"
VIOLATIONS = {  # (policy, object): what its line must say
    ("daemonset-surge-shares-node", "surge-hostport"): "hostPort 9000 with maxSurge",
    ("daemonset-surge-shares-node", "surge-hostpath"): "writes hostPath /var/lib/probe",
    ("daemonset-ondelete-skips-await", "on-delete"): "pulumi.com/skipAwait",
    ("pod-security", "insecure"): "privileged: false",
}


@pytest.fixture(scope="module")
def pack(cluster):
    if not os.access(PACK / ".venv" / "bin" / "python", os.X_OK):
        unavailable("the policy pack has no virtualenv: (cd policy && python3 -m venv .venv && "
                    ".venv/bin/pip install -r requirements.txt)")
    return str(PACK)


def probe(tmp_path, clean: bool) -> ThrowawayStack:
    project = project_copy(PROBE, tmp_path / "probe")
    (tmp_path / "state").mkdir()
    stack = ThrowawayStack(tmp_path / "state", current_context() or "local", root=project)
    return stack.create(f"config:\n  probe:clean: {'true' if clean else 'false'}\n",
                        render=False)


def preview(stack: ThrowawayStack, pack: str):
    result = stack.cli("preview", "--policy-pack", pack)
    return result, result.stdout + result.stderr


def test_each_broken_rule_is_reported_and_the_mandatory_ones_fail(pack, tmp_path):
    stack = probe(tmp_path, clean=False)
    try:
        result, output = preview(stack, pack)
        assert result.returncode != 0, output
        lines = output.splitlines()
        for (policy, name), says in VIOLATIONS.items():
            at = [i for i, line in enumerate(lines) if policy in line and name in line]
            assert at, f"{policy} on {name} not reported:\n{output}"
            assert any(says in line for line in lines[at[0]:at[0] + 4]), output
        assert "[mandatory]" in output and "[advisory]" in output, output
    finally:
        stack.tear_down(on_output=lambda line: None)


def test_a_program_that_keeps_every_rule_passes(pack, tmp_path):
    stack = probe(tmp_path, clean=True)
    try:
        result, output = preview(stack, pack)
        assert result.returncode == 0, output
        assert "[mandatory]" not in output, output
        # The estimate is advisory, and reported for each rolling DaemonSet.
        assert output.count("daemonset-rollout-waves") >= 2, output
        assert "waves over 10 nodes" in output, output
    finally:
        stack.tear_down(on_output=lambda line: None)


def test_our_dev_stack_passes(pack, tmp_path):
    (tmp_path / "state").mkdir()
    stack = ThrowawayStack(tmp_path / "state", current_context() or "local")
    document = yaml.safe_load(e2e_stack_text(stack.namespace, stack.context))
    try:
        stack.create(yaml.safe_dump(document, sort_keys=False))
        result, output = preview(stack, pack)
        assert result.returncode == 0, output
        assert "[mandatory]" not in output, output
    finally:
        stack.tear_down(on_output=lambda line: None)
