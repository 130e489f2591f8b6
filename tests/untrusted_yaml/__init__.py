# refusals.py asserts on every refusal's lines; rewritten as a test module's asserts
# are, so that a failing line is shown, not a bare AssertionError.
import pytest

pytest.register_assert_rewrite("tests.untrusted_yaml.refusals")
