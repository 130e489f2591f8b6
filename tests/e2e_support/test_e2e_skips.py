"""Why the e2e suite skips, said before anything deploys, and that a unit run
never selects it (tests/e2e/cluster.py's missing_tools and unavailable)."""

import stat

import pytest

from tests.configs import ROOT
from tests.e2e.cluster import SIMULATED_TOOLS, missing_tools, unavailable


def fake_tools(tmp_path, monkeypatch, **scripts: str) -> None:
    """A PATH holding only these shell scripts (they run /bin/sh by its full path)."""
    for name, body in scripts.items():
        tool = tmp_path / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_without_the_pulumi_cli_the_suite_says_so(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, kubectl="exit 0")
    assert missing_tools().startswith("the pulumi CLI is not on PATH")


def test_without_kubectl(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0")
    assert missing_tools().startswith("kubectl is not on PATH")


def test_without_a_context(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='echo "error: current-context is not set" >&2; exit 1')
    assert missing_tools() == ("kubectl has no current context; create a cluster first: "
                               "kind create cluster")


def test_with_a_cluster_that_does_not_answer(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kubectl="""
case "$1" in
  config) echo kind-kind ;;
  *) echo "The connection to the server 127.0.0.1:6443 was refused" >&2; exit 1 ;;
esac""")
    assert missing_tools() == ("the cluster of kube context 'kind-kind' does not answer: "
                               "The connection to the server 127.0.0.1:6443 was refused")


def test_with_a_cluster_that_hangs(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kubectl="""
case "$1" in
  config) echo kind-kind ;;
  *) exec /bin/sleep 10 ;;
esac""")
    assert missing_tools(timeout=0.5) == ("the cluster of kube context 'kind-kind' did not "
                                          "answer within 0.5 s")


def test_with_everything_there_the_suite_runs(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='[ "$1" = config ] && echo kind-kind; exit 0')
    assert missing_tools() is None


def test_the_simulated_cluster_needs_its_own_tools(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kwok="exit 0",
               kubectl='[ "$1" = config ] && echo local; exit 0')
    reason = missing_tools(simulated=True)
    absent = [t for t in SIMULATED_TOOLS if t != "kwok"]
    assert reason.startswith(f"{', '.join(absent)} not on PATH"), reason
    assert "toolchain/build" in reason and "E2E_KUBECONFIG" in reason
    assert missing_tools() is None  # a cluster of one's own needs only pulumi and kubectl


def test_a_missing_tool_skips_unless_required(monkeypatch):
    monkeypatch.delenv("E2E_REQUIRED", raising=False)
    with pytest.raises(pytest.skip.Exception, match="^no kwok$"):
        unavailable("no kwok")
    monkeypatch.setenv("E2E_REQUIRED", "1")
    with pytest.raises(pytest.fail.Exception, match="^E2E_REQUIRED=1, but no kwok$"):
        unavailable("no kwok")


# The repo's own pytest.ini, so its addopts (`-m "not e2e"`) apply as in a unit run.
E2E_TESTS = 69
"""test_deploy.py's 7 steps, test_validation.py's 12 tests, test_coverage_scheduler.py's 2,
test_render_yaml.py's 1, test_diff_engine.py's 10 table rows and its labels test,
test_rollouts.py's 7 steps, test_policy_pack.py's 3, test_component_package.py's 6
and real_node/'s 19 (which skip with a reason of their own: no kubelet, say)."""
REPO_PYTEST = ("-c", str(ROOT / "pytest.ini"), "--rootdir", str(ROOT), "-p", "no:cacheprovider",
               "-n", "0", str(ROOT / "tests" / "e2e"))


def test_the_suite_skips_here_with_its_reason(pytester, monkeypatch):
    """Not vacuous: where the tools are missing, `pytest -m e2e` reports every
    e2e test as skipped, with the reason, and none as passed. (In process:
    a pytest of its own would spend seconds importing what this one has.)

    The reason is the one the suite's own fixture finds first: with no
    E2E_KUBECONFIG, whether the simulated cluster's tools are on PATH. With
    them there, the suite would start a cluster and run (and, under this
    test's HOME, build the control plane afresh), so this test skips."""
    monkeypatch.delenv("E2E_KUBECONFIG", raising=False)
    reason = missing_tools(simulated=True, check_cluster=False)
    if reason is None:
        pytest.skip("the simulated cluster's tools are on PATH, so the e2e suite would run: "
                    "run it with pytest -m e2e")
    result = pytester.runpytest_inprocess(*REPO_PYTEST, "-m", "e2e", "-rs", "-q")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(skipped=E2E_TESTS)
    assert reason in result.stdout.str()


def test_the_unit_run_never_selects_the_e2e_steps(pytester):
    result = pytester.runpytest_inprocess(*REPO_PYTEST, "--collect-only", "-q")
    assert f"({E2E_TESTS} deselected)" in result.stdout.str(), \
        result.stdout.str() + result.stderr.str()
    assert "test_deploy.py::" not in result.stdout.str()
