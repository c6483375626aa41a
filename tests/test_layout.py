"""The package's architecture, enforced: imports go one way, cli -> corpus -> classifier -> features,
and nothing in the package imports the training code (which needs scikit-learn and labels/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "model"
# Each layer may import the layers to its right, never those to its left. The modules at the
# package's root (text, labels, atomic) are shared by all and import no layer.
LAYERS = ("cli", "integrations", "corpus", "classifier", "features", "")


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else ""


def imports(path: Path) -> list[tuple[int, str]]:
    """The cleaner modules ``path`` imports (relative imports resolved), with their line numbers."""
    relative = path.relative_to(PACKAGE).with_suffix("")
    package = ["cleaner", *relative.parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [target] if node.module or not node.level else [f"{target}.{a.name}" for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name == "cleaner" or name.startswith("cleaner.")]


def test_imports_go_one_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = "cleaner." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        if module in ("cleaner.__init__", "cleaner.__main__"):
            continue  # the package's own __init__ and its command's entry are its faces: they may name anything
        own = LAYERS.index(layer_of(module))
        where = path.relative_to(PACKAGE.parent)
        for line, target in imports(path):
            if target.startswith("cleaner.training"):
                wrong.append(f"{where}:{line}: imports {target} (the package never imports training)")
            elif LAYERS.index(layer_of(target)) < own:
                wrong.append(f"{where}:{line}: {layer_of(module) or 'root'} imports {target}")
    assert not wrong, "\n".join(wrong)


def runtime_imports(path: Path) -> set[str]:
    """:func:`imports` of ``path``, at its top or inside its functions, but not those of its
    ``if TYPE_CHECKING:`` blocks (which annotations alone use, and which never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for_types = {
        line
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in node.body
        for line in range(inner.lineno, (inner.end_lineno or inner.lineno) + 1)
    }
    return {name for line, name in imports(path) if line not in for_types}


# Modules of one layer that import each other, each time one of them inside a function. The format
# module builds Predictors when it loads a file, and Predictor.save writes one through it.
MUTUAL = {frozenset({"cleaner.classifier.format", "cleaner.classifier.predictor"})}


@pytest.mark.parametrize("layer", ["classifier", "features"])
def test_no_two_modules_of_a_layer_import_each_other(layer: str) -> None:
    """A cycle works only in the order the modules happen to be imported, and one import of each
    pair is hidden inside a function: format imported cleaned's threshold checks, cleaned and
    remote imported format in their functions (for load_model, ModelError and its hints)."""
    modules = {
        "cleaner." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts): path
        for path in sorted((PACKAGE / layer).glob("*.py"))
    }
    graph = {module: runtime_imports(path) & set(modules) for module, path in modules.items()}
    cycles = set()
    for start in graph:
        stack = [(start, [start])]
        while stack:
            module, path = stack.pop()
            for target in graph[module]:
                if target == start:
                    cycles.add(frozenset(path))
                elif target not in path:
                    stack.append((target, [*path, target]))
    assert cycles - MUTUAL == set(), sorted(sorted(cycle) for cycle in cycles - MUTUAL)


def test_the_checker_sees_relative_imports() -> None:
    """The rule above is only worth something if it finds imports: features/context.py imports
    features/segments.py relatively, and corpus modules import the classifier."""
    found = dict((name, line) for line, name in imports(PACKAGE / "features" / "context.py"))
    assert "cleaner.features.segments" in found
    corpus = {name for path in (PACKAGE / "corpus").rglob("*.py") for _, name in imports(path)}
    assert any(name.startswith("cleaner.classifier") for name in corpus)


def test_every_package_folder_is_packaged() -> None:
    """A folder of modules without __init__.py imports in a checkout (as a namespace package) but
    is left out of the wheel; one missing from pyproject's package list is left out too."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    repo = PACKAGE.parent
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {path: name for name, path in config["package-dir"].items()}
    missing = []
    for root, name in roots.items():
        for folder in sorted(p for p in (repo / root).rglob("*") if p.is_dir() and any(p.glob("*.py"))):
            package = ".".join([name, *folder.relative_to(repo / root).parts])
            if not (folder / "__init__.py").is_file():
                missing.append(f"{folder.relative_to(repo)}: no __init__.py")
            if package not in listed:
                missing.append(f"{package}: not in [tool.setuptools] packages")
    assert not missing, "\n".join(missing)


def test_modules_import_each_other_relatively() -> None:
    """Inside the package (``model/`` is ``cleaner``, ``training/`` is ``cleaner.training``), as in
    scikit-learn: a relative import says the module is a part of this package, and keeps working
    whatever name the package is installed under."""
    root = PACKAGE.parent
    absolute = [
        f"{path.relative_to(root)}:{node.lineno}"
        for folder in (PACKAGE, root / "training")
        for path in sorted(folder.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "cleaner")
        or (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "cleaner" for alias in node.names))
    ]
    assert not absolute, "\n".join(absolute)


def test_no_cli_module_imports_the_cli_package() -> None:
    """``cleaner.cli``'s ``__init__`` registers the commands, so it imports their modules: one that
    imported a name of it back (``from . import fail`` did) worked only by the order of its lines."""
    modules = {f"cleaner.cli.{path.stem}" for path in (PACKAGE / "cli").glob("*.py") if path.name != "__init__.py"}
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}"
        for path in sorted((PACKAGE / "cli").glob("*.py"))
        if path.name != "__init__.py"
        for line, target in imports(path)
        if target == "cleaner.cli" or (target.startswith("cleaner.cli.") and target not in modules)
    ]
    assert not wrong, "\n".join(wrong)
