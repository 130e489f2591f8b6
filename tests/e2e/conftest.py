"""The e2e steps build on each other: after one fails, the later ones skip,
naming it, instead of failing again (or waiting out their deadlines) for
the same cause. The module's fixture still destroys the stack. A module
whose tests stand alone says so with `STEPS_IN_ORDER = False`.

The session's `cluster` fixture provides the cluster they deploy to."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e.cluster import ROOT, Cluster, is_simulated, missing_tools, unavailable

FAILED_STEP = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (report.failed and item.get_closest_marker("e2e") and in_order(item)
            and FAILED_STEP not in item.parent.stash):
        item.parent.stash[FAILED_STEP] = item.name
    return report


def in_order(item) -> bool:
    """A module of steps, unless it says `STEPS_IN_ORDER = False`."""
    return getattr(item.module, "STEPS_IN_ORDER", True)


def pytest_runtest_setup(item):
    failed = item.parent.stash.get(FAILED_STEP, None)
    if failed is not None and item.get_closest_marker("e2e"):
        pytest.skip(f"an earlier step failed: {failed}")


# The cluster the suite deploys to.

CLUSTER_UP_SECONDS = 180


@pytest.fixture(scope="session")
def cluster():
    """E2E_KUBECONFIG's cluster (a user's kind cluster, say), or else a simulated
    one that toolchain/cluster starts in a state folder of its own and stops at
    the end, whatever happened. KUBECONFIG is set for kubectl and for the
    pulumi CLI the Automation API starts (it inherits this process's env)."""
    given = os.environ.get("E2E_KUBECONFIG")
    reason = missing_tools(simulated=not given, check_cluster=False)
    if reason:
        unavailable(reason)
    before = os.environ.get("KUBECONFIG")
    state = None
    try:
        if given:
            kubeconfig = given
        else:
            state = tempfile.mkdtemp(prefix="e2e-cluster-")
            up = subprocess.run([str(ROOT / "toolchain" / "cluster"), "up", "--nodes", "3"],
                                capture_output=True, text=True, timeout=CLUSTER_UP_SECONDS,
                                env={**os.environ, "REDIS_FILEBEAT_CLUSTER_DIR": state})
            if up.returncode != 0:
                unavailable("toolchain/cluster up failed: "
                            + ((up.stderr.strip().splitlines() or ["no output"])[-1]))
            kubeconfig = up.stdout.strip().splitlines()[-1]
        os.environ["KUBECONFIG"] = kubeconfig
        reason = missing_tools(simulated=not given)
        if reason:
            unavailable(reason)
        yield Cluster(Path(kubeconfig), is_simulated(started=state is not None))
    finally:
        if before is None:
            os.environ.pop("KUBECONFIG", None)
        else:
            os.environ["KUBECONFIG"] = before
        if state is not None:
            subprocess.run([str(ROOT / "toolchain" / "cluster"), "down"], timeout=120,
                           env={**os.environ, "REDIS_FILEBEAT_CLUSTER_DIR": state})


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """`pytest -m e2e` in one process, whatever pytest.ini's `-n auto` says:
    under xdist the steps did not run in the order written (the rollout's
    `up` ran before the first one), and they share one deployment anyway."""
    if "e2e" in (config.option.markexpr or "") and "not e2e" not in config.option.markexpr:
        config.option.numprocesses = None
        config.option.dist = "no"
