"""The test kit under test is the one users get: its fixtures come from here."""

# pytester: tests that run pytest on a suite of their own, in this process.
pytest_plugins = ["components.testing", "pytester"]


class _WorkerReports:
    """pytest-xdist's hooks, registered only where xdist runs: pytest refuses
    a hook it does not know, so `pytest -p no:xdist` would otherwise abort."""

    def pytest_sessionfinish(self, session):
        """On a worker: hand its report lines to the controller."""
        from tests.configs import REPORT

        if hasattr(session.config, "workeroutput"):
            session.config.workeroutput["report"] = list(REPORT)

    def pytest_testnodedown(self, node, error):
        """On the controller: collect what each worker reported."""
        from tests.configs import REPORT

        REPORT.extend(getattr(node, "workeroutput", {}).get("report", []))


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_WorkerReports(), "worker-reports")


def pytest_terminal_summary(terminalreporter):
    """Figures a test measured (how many property cases ran), shown after the run."""
    from tests.configs import REPORT

    for line in REPORT:
        terminalreporter.write_line(line)
