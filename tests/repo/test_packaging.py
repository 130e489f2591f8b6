"""The package as users get it: built, installed outside this repository, and used there.

One virtualenv per run (a session fixture that the xdist workers share): the sdist is
built from a copy of the sources, the wheel from the sdist, and the wheel is
installed into a new virtualenv in a temporary folder. There, with no
PYTHONPATH and no repository around, run: the CLI, `examples/own-program/`'s
own tests, and docs/testing.md's example, verbatim, each as a user would. What needs
no build (the metadata, the clone it is built in) is test_packaging_metadata.py's.

The new virtualenv takes its dependencies from this one through a `.pth`
file, so the test downloads nothing and runs against the exact pins of
requirements.txt. `PACKAGING_FROM_PYPI=1` installs them from PyPI instead,
by pyproject.toml's ranges, as `pip install` would for a user (slower, and
it needs the network).
"""

import fcntl
import os
import re
import shutil
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from components import __version__
from tests.configs import ROOT
from tests.repo.user_shell import run

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

EXAMPLE = ROOT / "examples" / "own-program"


class Installed:
    def __init__(self, root: Path):
        self.root = root
        self.python = root / "venv" / "bin" / "python"
        self.wheel = next((root / "wheels").glob("*.whl"))
        self.sdist = next((root / "dist").glob("*.tar.gz"))

    def folder(self, name: str) -> Path:
        """A fresh folder of the user's, outside the repository."""
        path = self.root / "user" / name
        path.mkdir(parents=True)
        return path


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    """Built and installed once per run, by whichever worker asks first.

    (xdist_group does not keep these tests on one worker: with pytest 9,
    xdist 3.8's loadgroup no longer renames the items it groups.)"""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    root = base.parent / f"packaging-{run_id}" if run_id else base / "packaging"
    assert ROOT not in root.parents
    root.mkdir(exist_ok=True)
    installed, done = root / "installed", root / "done"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            # A worker whose build failed leaves no `done`: the next starts afresh.
            shutil.rmtree(installed, ignore_errors=True)
            _build_and_install(installed)
            done.touch()
    return Installed(installed)


def _build_and_install(root: Path) -> None:
    source = root / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "components", source / "components",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # The sdist as `python -m build --no-isolation` makes it, then the wheel from it:
    # both ways a user installs from (a git URL builds the way the sdist does).
    run(sys.executable, "-c", "from setuptools import build_meta; "
        f"build_meta.build_sdist({str(root / 'dist')!r})", cwd=source)
    pip = [sys.executable, "-m", "pip"]
    run(*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", root / "wheels",
        next((root / "dist").glob("*.tar.gz")), cwd=root)
    venv = root / "venv"
    wheel = next((root / "wheels").glob("*.whl"))
    if os.environ.get("PACKAGING_FROM_PYPI"):
        run(sys.executable, "-m", "venv", venv, cwd=root)
        run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, "pytest", cwd=root)
    else:
        run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
        purelib = run(venv / "bin" / "python", "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                      cwd=root).stdout.strip()
        ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        (Path(purelib) / "dependencies-of-the-test-run.pth").write_text("\n".join(sorted(ours)))
        run(*pip, "--python", venv / "bin" / "python", "install", "-q", "--no-deps", wheel,
            cwd=root)


# Built and installed.

def test_the_wheel_holds_redis_filebeat_and_nothing_named_components(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert installed.wheel.name == f"redis_filebeat-{__version__}-py3-none-any.whl"
    assert {n.split("/")[0] for n in names} == {
        "redis_filebeat", f"redis_filebeat-{__version__}.dist-info"}
    assert "redis_filebeat/py.typed" in names
    assert f"redis_filebeat-{__version__}.dist-info/licenses/LICENSE" in names


def test_installed_it_is_redis_filebeat_and_components_is_not_there(installed):
    here = installed.folder("imports")
    probe = ("import importlib.metadata as m, sys, redis_filebeat, redis_filebeat.testing\n"
             "print(redis_filebeat.__version__, m.version('redis-filebeat'))\n"
             "print(sorted({'pulumi', 'pydantic'} & sys.modules.keys()))\n"
             "import components\n")
    result = run(installed.python, "-c", probe, cwd=here, check=False)
    assert result.stdout.splitlines() == [f"{__version__} {__version__}", "[]"], result.stderr
    assert "ModuleNotFoundError: No module named 'components'" in result.stderr


def test_installed_the_cli_renders_a_stack_file(installed):
    here = installed.folder("cli")
    shutil.copy(EXAMPLE / "Pulumi.dev.yaml", here)
    for command in ([installed.python, "-m", "redis_filebeat"],
                    [installed.python.with_name("redis-filebeat")]):
        result = run(*command, "render", "--config", "Pulumi.dev.yaml", cwd=here)
        assert "kind: DaemonSet" in result.stdout and "redisPassword: not set" in result.stderr
    # Usage names the command as it was typed, never the checkout's `components`.
    for command, name in (([installed.python, "-m", "redis_filebeat"], "python -m redis_filebeat"),
                          ([installed.python.with_name("redis-filebeat")], "redis-filebeat")):
        usage = run(*command, "--help", cwd=here).stdout
        assert usage.startswith(f"usage: {name} "), usage


def test_installed_a_stack_is_looked_for_around_the_working_directory_only(installed):
    here = installed.folder("no-project")
    result = run(installed.python, "-m", "redis_filebeat", "render", "--stack", "dev",
                 cwd=here, check=False)
    assert result.returncode == 2
    assert f"{here.resolve()}/stacks/Pulumi.dev.yaml: no stack 'dev'" in result.stderr


def test_the_example_programs_own_tests_pass_where_a_user_runs_them(installed):
    here = installed.folder("own-program")
    shutil.copytree(EXAMPLE, here, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".venv"))
    result = run(installed.python, "-m", "pytest", "-q", cwd=here)
    assert re.search(r"\b4 passed\b", result.stdout), result.stdout


def docs_test_kit_example() -> str:
    """The python block under "Testing your own stacks" in docs/testing.md."""
    text = (ROOT / "docs" / "testing.md").read_text()
    section = text.split("## Testing your own stacks", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return block


def test_the_docs_test_kit_example_passes_verbatim_in_a_users_folder(installed):
    here = installed.folder("kit-example")
    (here / "test_example.py").write_text(docs_test_kit_example())
    result = run(installed.python, "-m", "pytest", "-q", cwd=here)
    assert re.search(r"\b1 passed\b", result.stdout), result.stdout


def test_a_conftest_that_still_lists_the_plugin_is_no_second_registration(installed):
    here = installed.folder("listed-plugin")
    (here / "conftest.py").write_text('pytest_plugins = ["redis_filebeat.testing"]\n')
    (here / "test_fixture.py").write_text(
        "def test_fixture(render_config):\n"
        "    out = render_config({'redis': {'image': 'redis:7.4-alpine', 'auth': False},\n"
        "        'filebeat': {'image': 'docker.elastic.co/beats/filebeat:8.15.3'}})\n"
        "    assert out.notes == () and 'redis' in out.manifests['Deployment']\n")
    result = run(installed.python, "-m", "pytest", "-q", cwd=here)
    assert re.search(r"\b1 passed\b", result.stdout), result.stdout
