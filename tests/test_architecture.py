"""The package's shape: stages import only from earlier stages, no import circles, small modules.

Stages, in order (README "Layout"): instance → model → solver → solution →
(solve, the front door) → analyses → report → cli. A module may import from
its own stage or an earlier one; ``errors`` is shared by all.
"""

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "interop"
ORDER = [
    "errors",
    "exitcodes",
    "safeio",
    "instance",
    "model",
    "solver",
    "solution",
    "solve",
    "analyses",
    "report",
    "cli",
    "__init__",
    "__main__",
]
MAX_LINES = 420
# the generator builds a witness plan from the admissible sets, to set floors it can meet
EXCEPTIONS = {"interop.instance.generate": {"interop.model.data"}}


def _module(path: Path) -> str:
    return ".".join(("interop", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every interop module ``path`` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("interop"):
            out.add(node.module)
            for alias in node.names:  # `from interop.cli import solve` may name a module
                candidate = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists():
                    out.add(candidate)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("interop")}
    return out


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> int:
    parts = module.split(".")
    return ORDER.index(parts[1] if len(parts) > 1 else "__init__")


def test_no_import_circles():
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_edges_from((name, t) for t in _imports(path) if t in MODULES and t != name)
    # a package's __init__ importing its own submodules is registration, not a circle
    graph.remove_edges_from([(a, b) for a, b in list(graph.edges) if b.startswith(a + ".")])
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, cycles


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_follow_the_stages(name):
    if name == "interop" or name == "interop.__main__":
        return
    later = [
        t
        for t in _imports(MODULES[name]) - EXCEPTIONS.get(name, set())
        if t in MODULES and t != "interop" and _stage(t) > _stage(name)
    ]
    assert not later, f"{name} imports later stages: {later}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_are_small_enough_to_read_in_one_sitting(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_the_readme_layout_names_every_module():
    """README "Layout" is the map a maintainer reads first: a module it does not name is a module lost.

    Fails when a module is added (or renamed) without its line in the table, as
    happened to the 15 modules the analyses, report and briefing merges added.
    """
    readme = (PACKAGE.parent / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(PACKAGE)
        folder = f"interop/{rel.parent.as_posix()}/" if rel.parent.parts else None
        rows = [r for r in layout.splitlines() if folder is None or folder in r]
        if not any(f"`{path.name}`" in r or f"interop/{rel.as_posix()}" in r for r in rows):
            missing.append(rel.as_posix())
    assert not missing, f"README Layout does not name: {missing}"
