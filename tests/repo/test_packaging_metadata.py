"""The package's metadata and the clone it is built in, checked without building: the
wheel's list of packages, the pins against the ranges, the version and the changelog,
what a build leaves in the clone, and the kit and the docs' checks under the installed
name.

Marked as test_packaging.py's tests are (`packaging`, and its xdist group), so that
`-m "not packaging"` leaves them all out together. None of these builds anything:
the one virtualenv that test_packaging.py's `installed` fixture builds per run is
not asked for here.
"""

import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

from components import __version__
from tests.configs import ROOT
from tests.repo.user_shell import run

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_in_the_wheels_list():
    folders = sorted(".".join(["redis_filebeat", *p.parent.relative_to(ROOT / "components").parts])
                     for p in (ROOT / "components").rglob("__init__.py"))
    assert sorted(PYPROJECT["tool"]["setuptools"]["packages"]) == folders


def test_the_pinned_requirements_satisfy_the_packages_ranges():
    pins = {Requirement(line).name.lower(): Requirement(line)
            for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    ranges = {Requirement(r).name.lower(): Requirement(r)
              for r in PYPROJECT["project"]["dependencies"]}
    assert ranges.keys() == pins.keys()
    for name, wanted in ranges.items():
        (pinned,) = (spec.version for spec in pins[name].specifier)
        assert wanted.specifier.contains(pinned), f"{name}=={pinned} is outside {wanted}"


def test_the_version_is_semver_and_the_changelog_has_it():
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", __version__)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d\d-\d\d$", changelog, re.M)


def test_the_kit_renders_a_missing_password_as_a_secret_with_a_note():
    from components.testing import render_config

    config = {"redis": {"image": "redis:7.4-alpine"},
              "filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3"}}
    out = render_config(config)
    assert out.manifests["Secret"]["redis-auth"]["stringData"]["password"] == "[secret]"
    # Named as the kit names the config in its errors.
    assert out.notes == ("<render_config>: redisPassword: not set; rendered as [secret]. "
                         "`pulumi up` needs it: "
                         "pulumi config set --secret redis-filebeat:redisPassword <password>",)
    assert render_config(config, secrets={"redisPassword": "a-test-password-0123"}).notes == ()


def test_a_pip_install_in_the_clone_leaves_nothing_for_git_to_show():
    # `pip install .` builds in place: setuptools writes build/ and the
    # egg-info (named after the project) beside pyproject.toml.
    for left_behind in ("build/lib/redis_filebeat/__init__.py",
                        "redis_filebeat.egg-info/PKG-INFO"):
        check = subprocess.run(["git", "check-ignore", "--no-index", "-q", left_behind],
                               cwd=ROOT, capture_output=True, text=True)
        assert check.returncode == 0, f"{left_behind} is not ignored: {check.stderr}"


def test_pytest_in_a_clone_with_a_build_left_behind_loads_no_installed_plugin(tmp_path):
    # `pip wheel .` leaves redis_filebeat.egg-info beside pyproject.toml, and
    # `python -m pytest` puts the folder on sys.path: the entry point is found,
    # its module (redis_filebeat, not installed here) is not, and pytest stops.
    plugins = PYPROJECT["project"]["entry-points"]["pytest11"]
    left_behind = tmp_path / "redis_filebeat.egg-info"
    left_behind.mkdir()
    (left_behind / "PKG-INFO").write_text(
        f"Metadata-Version: 2.1\nName: {PYPROJECT['project']['name']}\nVersion: {__version__}\n")
    (left_behind / "entry_points.txt").write_text(
        "[pytest11]\n" + "".join(f"{name} = {module}\n" for name, module in plugins.items()))
    shutil.copy(ROOT / "pytest.ini", tmp_path)
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    result = run(sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                 "test_nothing.py", cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_docs_checks_read_installed_commands_too():
    from tests.repo.commands import components_commands

    assert components_commands("python -m redis_filebeat render --config Pulumi.dev.yaml\n") == [
        ["render", "--config", "Pulumi.dev.yaml"]]
