"""The test kit under test is the one users get: its fixtures come from here."""

pytest_plugins = ["components.testing"]
