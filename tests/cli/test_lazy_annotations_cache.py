"""When the lazy-annotations finder (components/cli/lazy_annotations.py)
compiles, when it reads its pyc, and when it leaves a module to Python,
shown on a package of our own whose annotations name nothing that exists:
imported as usual it fails, lazily it does not."""

import importlib
import importlib.util
import os
import sys

import pytest

from components.cli import lazy_annotations as lazy

SOURCE = "def greet(name: NoSuchType) -> AlsoMissing:\n    return 'hello ' + name\n"


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A package `lazy_toy` with one module, a bytecode folder of its own, and
    Python free to write bytecode; unimported again at the end."""
    package = tmp_path / "src" / "lazy_toy"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "greeting.py").write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pycache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    importlib.invalidate_caches()
    yield package / "greeting.py"
    for name in [n for n in sys.modules if n.partition(".")[0] == "lazy_toy"]:
        del sys.modules[name]


def _import(fresh: bool = True):
    if fresh:
        for name in [n for n in sys.modules if n.partition(".")[0] == "lazy_toy"]:
            del sys.modules[name]
    with lazy.lazy_annotations(("lazy_toy",)):
        return importlib.import_module("lazy_toy.greeting")


def _no_compile(*args, **kwargs):
    raise AssertionError("compiled again")


def _pyc(source) -> str:
    return importlib.util.cache_from_source(str(source), optimization=lazy.TAG)


def test_annotations_stay_strings_and_the_pyc_is_written_beside_pythons(toy):
    module = _import()

    assert module.greet.__annotations__ == {"name": "NoSuchType", "return": "AlsoMissing"}
    assert module.greet("you") == "hello you"
    assert module.__cached__ == _pyc(toy)
    assert _pyc(toy).startswith(sys.pycache_prefix)
    assert _pyc(toy).endswith(f".{sys.implementation.cache_tag}.opt-pep563.pyc")
    with open(_pyc(toy), "rb") as pyc:
        assert pyc.read(16) == lazy.pyc_header(str(toy))


def test_imported_as_usual_the_toy_fails():
    """The premise of the others: outside the finder, the toy does not import."""
    with pytest.raises(NameError, match="NoSuchType"):
        exec(compile(SOURCE, "greeting.py", "exec"), {})


def test_a_current_pyc_is_read_not_compiled(toy, monkeypatch):
    _import()
    monkeypatch.setattr(lazy, "compile", _no_compile, raising=False)
    assert _import().greet("again") == "hello again"


def test_a_changed_source_is_compiled_again(toy):
    _import()
    toy.write_text(SOURCE.replace("'hello '", "'hi there, '"))
    os.utime(toy, (1, 1))

    assert _import().greet("you") == "hi there, you"
    with open(_pyc(toy), "rb") as pyc:
        assert pyc.read(16) == lazy.pyc_header(str(toy))


@pytest.mark.parametrize("damage", [b"", b"not a pyc at all", "header only", "truncated"])
def test_a_damaged_pyc_is_compiled_again_and_replaced(toy, damage, monkeypatch):
    _import()
    with open(_pyc(toy), "rb") as pyc:
        whole = pyc.read()
    data = {"header only": whole[:16], "truncated": whole[:len(whole) // 2]}.get(damage, damage)
    with open(_pyc(toy), "wb") as pyc:
        pyc.write(data)

    assert _import().greet("you") == "hello you"
    monkeypatch.setattr(lazy, "compile", _no_compile, raising=False)
    assert _import().greet("again") == "hello again"


def test_writing_no_bytecode_and_no_pyc_leaves_the_module_to_python(toy, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    with pytest.raises(NameError, match="NoSuchType"):
        _import()
    assert not os.path.exists(_pyc(toy))


def test_writing_no_bytecode_still_reads_a_current_pyc(toy, monkeypatch):
    _import()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    assert _import().greet("you") == "hello you"


def test_a_folder_it_cannot_write_leaves_the_module_to_python(toy, monkeypatch):
    # Root may write anywhere, so the refusal is the one os.access would give.
    monkeypatch.setattr(lazy.os, "access", lambda path, mode: False)

    with pytest.raises(NameError, match="NoSuchType"):
        _import()
    assert not os.path.exists(_pyc(toy))


def test_a_write_that_fails_still_imports_and_leaves_nothing_behind(toy, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(dst)

    monkeypatch.setattr(lazy.os, "replace", refuse)

    assert _import().greet("you") == "hello you"
    folder = os.path.dirname(_pyc(toy))
    assert [name for name in os.listdir(folder) if "opt-pep563" in name] == []


def test_only_the_named_packages_are_touched(toy):
    finder = lazy.LazyAnnotationsFinder(("lazy_toy",))

    assert finder.handles("lazy_toy") and finder.handles("lazy_toy.greeting")
    assert not finder.handles("lazy_toy_other") and not finder.handles("json")
    assert lazy.LazyAnnotationsFinder().handles("pulumi_kubernetes.core.v1._inputs")
    assert not lazy.LazyAnnotationsFinder().handles("pulumi.runtime")


def test_the_finder_leaves_with_its_block():
    meta_path = list(sys.meta_path)
    with lazy.lazy_annotations():
        assert len(sys.meta_path) == len(meta_path) + 1
    assert sys.meta_path == meta_path


def test_a_library_caller_imports_pulumi_kubernetes_as_written():
    import pulumi_kubernetes.core.v1._inputs as inputs

    assert not (inputs.__spec__.cached or "").endswith(".opt-pep563.pyc")
