"""The password fragment as the real filebeat reads it: whatever a password
holds, filebeat merges the fragment with the generated filebeat.yml and ends
up with the very password redis was given.

filebeat reads YAML, and `json.dumps`' default ASCII escapes write a character
above U+FFFF as a surrogate pair, which filebeat refused at start: every pod
of a stack whose password held an emoji stopped.
"""

import subprocess

import pytest
import yaml

from tests.configs import minimal
from tests.real.runtime.rendered import render
from tests.real.tools import required_tool

FILEBEAT, pytestmark = required_tool("filebeat", "RUNTIME_REQUIRED", build="filebeat")

PASSWORDS = [
    "a-long-password-\U0001F511-with-a-key",     # above U+FFFF
    "𝓅𝒶𝓈𝓈𝓌𝑜𝓇𝒹-𝓂𝒶𝓉𝒽-𝓁𝑒𝓉𝓉𝑒𝓇𝓈-only",
    'quotes " and \\ backslashes \' here',
    "ünïcødé, ümlauts and ß, long enough",
    "# not a comment: not: a key - [x] {y}",
    "   leading and trailing spaces   ",
]


@pytest.mark.parametrize("password", PASSWORDS)
def test_filebeat_reads_the_password_it_was_given(tmp_path, password):
    rendered = render(minimal(), {"redisPassword": password})
    main = tmp_path / "filebeat.yml"
    main.write_text(rendered.config_map("filebeat-config")["filebeat.yml"], encoding="utf-8")
    fragment = tmp_path / "output-auth.yml"
    fragment.write_text(rendered.secrets["filebeat-redis-auth"]["output-auth.yml"],
                        encoding="utf-8")
    assert FILEBEAT
    exported = subprocess.run(
        [FILEBEAT, "export", "config", "-c", str(main), "-c", str(fragment),
         "--path.home", str(tmp_path), "--path.data", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    assert yaml.safe_load(exported.stdout)["output"]["redis"]["password"] == password
