"""The test kit under test is the one users get: its fixtures come from here."""

pytest_plugins = ["components.testing"]


def pytest_terminal_summary(terminalreporter):
    """Figures a test measured (how many property cases ran), shown after the run."""
    from tests.configs import REPORT

    for line in REPORT:
        terminalreporter.write_line(line)
