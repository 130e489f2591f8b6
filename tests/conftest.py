"""The test kit under test is the one users get: its fixtures come from here."""

# pytester: tests that run pytest on a suite of their own, in this process.
pytest_plugins = ["components.testing", "pytester"]


def pytest_sessionfinish(session):
    """Under pytest-xdist, hand a worker's report lines to the controller."""
    from tests.configs import REPORT

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["report"] = list(REPORT)


def pytest_testnodedown(node, error):
    """On the controller: collect what each worker reported."""
    from tests.configs import REPORT

    REPORT.extend(getattr(node, "workeroutput", {}).get("report", []))


def pytest_terminal_summary(terminalreporter):
    """Figures a test measured (how many property cases ran), shown after the run."""
    from tests.configs import REPORT

    for line in REPORT:
        terminalreporter.write_line(line)
