"""The e2e steps build on each other: after one fails, the later ones skip,
naming it, instead of failing again (or waiting out their deadlines) for
the same cause. The module's fixture still destroys the stack."""

import pytest

FAILED_STEP = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and item.get_closest_marker("e2e") and FAILED_STEP not in item.parent.stash:
        item.parent.stash[FAILED_STEP] = item.name
    return report


def pytest_runtest_setup(item):
    failed = item.parent.stash.get(FAILED_STEP, None)
    if failed is not None and item.get_closest_marker("e2e"):
        pytest.skip(f"an earlier step failed: {failed}")
