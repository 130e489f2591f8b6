# existing_secret_startup.py's Pod checks what it lays out; rewritten as a test
# module's asserts are, so that a failing check shows its values.
import pytest

pytest.register_assert_rewrite("tests.real.existing_secret_startup")
