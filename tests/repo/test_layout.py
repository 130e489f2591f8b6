"""The package layout is the architecture: each layer imports only those below it.
And tests/ mirrors it, so that a module's tests are found by its path."""

import ast
import shutil
import subprocess
import sys

import pytest

from tests.configs import ROOT

COMPONENTS = ROOT / "components"
TESTS = ROOT / "tests"
# Lowest first. A module may import its own package and any listed before it.
LAYERS = ["project", "conventions", "untrusted_yaml", "config", "workloads", "render",
          "review", "coverage", "cli"]
# Leaves of `render` that `review` may read: plain data, no Pulumi.
PLAIN_RENDER = {"components.render.manifests", "components.render.folder"}
# config/'s folders ("" is the modules at its top), lowest first. A module may import its
# own folder and those of a lower rank. Folders of one rank import none of each other: the
# redis and filebeat sections stay apart (the redis host and port reach filebeat from the
# Redis component, not its config), and so do the stack-file readers. The bottom rank is
# the exception, one layer in two places: base.py uses kube/names.py, which uses errors.py.
CONFIG_RANKS = [{"", "kube"}, {"files", "redis", "filebeat"}, {"stack"}]


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "components"


def is_face(module: str, components=COMPONENTS) -> bool:
    """`components` itself, or a name it defines (`components.__version__`)
    rather than one of its modules: the package face, which loads every layer."""
    if "." not in module:
        return True
    layer = module.split(".")[1]
    return not ((components / layer).is_dir() or (components / f"{layer}.py").is_file())


def config_folder(module: str, components=COMPONENTS) -> str | None:
    """The folder of config/ that `module` is in ("" for config/'s own modules), or None
    for a name `components.config` defines: its face, which loads every folder."""
    name = module.split(".")[2] if module.count(".") >= 2 else ""
    if (components / "config" / name).is_dir() and name:
        return name
    return "" if (components / "config" / f"{name}.py").is_file() else None


def config_imports(path, module: str, components=COMPONENTS) -> list[str]:
    """What is wrong with config module `path` importing config module `module`."""
    root = components.parent
    rank = {folder: n for n, folders in enumerate(CONFIG_RANKS) for folder in folders}
    here = config_folder(".".join(path.relative_to(root).with_suffix("").parts), components)
    there = config_folder(module, components)
    where = path.relative_to(root)
    if there is None:
        return [f"{where} imports {module}, from the config face"]
    if here not in rank or there not in rank:
        return []  # an unranked folder is reported once, by upward_imports
    if rank[there] > rank[here]:
        return [f"{where} imports {module}, from above it in config"]
    if rank[there] == rank[here] > 0 and there != here:
        return [f"{where} imports {module}, from beside it in config"]
    return []


def imports_of(path, root) -> set[str]:
    """The components modules `path` imports, as absolute names."""
    package = ".".join(path.relative_to(root).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module} if node.module else {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("components"):
            found.add(node.module)
    return found


def upward_imports(components=COMPONENTS) -> list[str]:
    root, wrong = components.parent, []
    for path in sorted(components.rglob("*.py")):
        here = layer_of(".".join(path.relative_to(root).with_suffix("").parts))
        if here not in LAYERS:
            continue  # components/__init__.py, __main__.py and testing.py face users
        for module in sorted(imports_of(path, root)):
            if is_face(module, components):
                wrong.append(f"{path.relative_to(root)} imports {module}, from the package face")
                continue
            there = layer_of(module)
            if there in LAYERS and LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{path.relative_to(root)} imports {module}")
            if here in ("review", "coverage") and there == "render" and module not in PLAIN_RENDER:
                wrong.append(f"{path.relative_to(root)} imports {module}, which runs Pulumi")
            if here == there == "config" and path != components / "config" / "__init__.py":
                wrong += config_imports(path, module, components)  # the face re-exports all
    ranked = set().union(*CONFIG_RANKS)
    wrong += [f"components/config/{folder.name}/ is in no rank of CONFIG_RANKS"
              for folder in sorted((components / "config").iterdir())
              if (folder / "__init__.py").is_file() and folder.name not in ranked]
    return wrong


def test_no_import_runs_back_up_a_layer():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    copy = tmp_path / "components"
    shutil.copytree(COMPONENTS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "config" / "base.py").open("a") as source:
        source.write("\nfrom ..workloads.program import main\n")
    with (copy / "review" / "sides.py").open("a") as source:
        source.write("\nfrom ..render.renderer import render\n")
    with (copy / "workloads" / "pod.py").open("a") as source:
        source.write("\nfrom .. import __version__\nfrom components import Redis\n")
    assert upward_imports(copy) == [
        "components/config/base.py imports components.workloads.program",
        "components/review/sides.py imports components.render.renderer, which runs Pulumi",
        "components/workloads/pod.py imports components, from the package face",
        "components/workloads/pod.py imports components.__version__, from the package face"]


def test_the_check_sees_config_folders_out_of_place(tmp_path):
    copy = tmp_path / "components"
    shutil.copytree(COMPONENTS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    plant = {"errors.py": "from .stack.parse import parse_config",
             "kube/pod.py": "from ..redis.model import RedisConfig",
             "filebeat/output.py": "from ..redis import names",
             "redis/acl.py": "from ..filebeat.flags import passes_config_file",
             "files/stack_file.py": "from .. import StackConfig",
             # The whole stack may read any section: no line for this one.
             "stack/schema.py": "from ..redis.names import COMMANDS\nfrom ..kube import pod"}
    for module, line in plant.items():
        with (copy / "config" / module).open("a") as source:
            source.write(f"\n{line}\n")
    (copy / "config" / "unplaced").mkdir()
    (copy / "config" / "unplaced" / "__init__.py").write_text("")
    assert upward_imports(copy) == [
        "components/config/errors.py imports components.config.stack.parse, "
        "from above it in config",
        "components/config/filebeat/output.py imports components.config.redis, "
        "from beside it in config",
        "components/config/files/stack_file.py imports components.config.StackConfig, "
        "from the config face",
        "components/config/kube/pod.py imports components.config.redis.model, "
        "from above it in config",
        "components/config/redis/acl.py imports components.config.filebeat.flags, "
        "from beside it in config",
        "components/config/unplaced/ is in no rank of CONFIG_RANKS"]


# Folders of tests/ that mirror no package: the cluster suite, its helpers' tests,
# the tests that run real binaries (so `--ignore=tests/real` leaves the fast ones),
# and the tests of the repository around the package (docs, workflow, policy/ ...).
NOT_A_PACKAGE = {"e2e", "e2e_support", "real", "repo"}


def misplaced_tests(tests=TESTS, components=COMPONENTS) -> list[str]:
    """Test modules a newcomer would not find by their path: at the top of
    tests/, or in a folder that mirrors no package of components/; and the
    folders of tests with no `__init__.py`, whose modules pytest would import
    by their bare names (two `test_redis.py` would then clash)."""
    wrong, folders = [], set()
    for path in sorted(tests.rglob("test_*.py")):
        name, folder = path.relative_to(tests.parent), path.parent.relative_to(tests)
        folders |= {tests / f for f in [folder, *folder.parents] if f.parts}
        if not folder.parts:
            wrong.append(f"{name} is at the top of tests/")
        elif folder.parts[0] not in NOT_A_PACKAGE and not (
                components / folder / "__init__.py").is_file():
            wrong.append(f"{name} mirrors no package: there is no components/{folder.as_posix()}/")
    wrong += [f"{f.relative_to(tests.parent)}/ has no __init__.py" for f in sorted(folders)
              if not (f / "__init__.py").is_file()]
    return wrong


def test_every_test_module_lives_where_its_package_does():
    assert misplaced_tests() == []


def test_the_check_sees_a_misplaced_test_module(tmp_path):
    copy = tmp_path / "tests"
    shutil.copytree(TESTS, copy, ignore=shutil.ignore_patterns("__pycache__", "crds"))
    (copy / "test_stray.py").touch()
    (copy / "confg").mkdir()
    (copy / "confg" / "__init__.py").touch()
    (copy / "confg" / "test_typo.py").touch()
    (copy / "workloads" / "redis" / "alerts").mkdir()
    (copy / "workloads" / "redis" / "alerts" / "test_alerts.py").touch()
    (copy / "real" / "exporter").mkdir()
    (copy / "real" / "exporter" / "test_exporter.py").touch()
    assert misplaced_tests(copy) == [
        "tests/confg/test_typo.py mirrors no package: there is no components/confg/",
        "tests/test_stray.py is at the top of tests/",
        "tests/workloads/redis/alerts/test_alerts.py mirrors no package: there is no "
        "components/workloads/redis/alerts/",
        "tests/real/exporter/ has no __init__.py",
        "tests/workloads/redis/alerts/ has no __init__.py"]


# A stack file is read (and hostile input refused) before any model is loaded.
@pytest.mark.parametrize("module", ["components.review.pairing", "components.review.report",
                                    "components.review.sides", "components",
                                    "components.config.files.stack_file",
                                    "components.coverage.check"])
def test_diff_loads_neither_pulumi_nor_pydantic(module):
    probe = (f"import sys, {module}; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'pydantic'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_no_module_is_much_over_250_lines():
    long = {str(p.relative_to(ROOT)): n for p in COMPONENTS.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 280}
    assert long == {}
