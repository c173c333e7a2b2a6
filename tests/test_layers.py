"""The import layers of the project, read from the source with ``ast`` (nothing is imported).

Rules, for every module of ``risk/``, ``reports/`` and ``api/``:

1. ``risk`` imports nothing from ``api`` or ``reports``; ``reports`` imports nothing from ``api``
   (anywhere in a module, function bodies included: the layers hold at run time too).
2. No import cycle among the project's modules at module level. Imports inside a function, and
   under ``if TYPE_CHECKING:``, run later or never and are not counted.
3. Within ``api``, the HTTP surface sits on top: ``api.main``, ``api.routes.*``, every
   ``api.<package>.routes`` and ``api.<package>.*_routes``, and the web pages (``api.web.pages_*``).
   No other module of ``api`` imports one of them at module level (the assembly in ``api.context``
   included), and no module imports ``api.main`` at all (uvicorn loads it by name).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("risk", "reports", "api")
FORBIDDEN = {"risk": ("api", "reports"), "reports": ("api",)}
HTTP = re.compile(r"^api\.(main|routes(\..+)?|[a-z_]+\.routes|[a-z_]+\.[a-z_]+_routes|web\.pages_[a-z_]+)$")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts or path.parent.name != "versions":
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    # The project imports absolutely (``from api.x import y``), so no relative import is resolved.
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    for alias in node.names:
        # ``from api.routes import audit`` imports the module api.routes.audit.
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _imports(module: str, *, module_level: bool) -> set[str]:
    """The project modules ``module`` imports (only those run at import time if ``module_level``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.update(t for t in _targets(child) if t in MODULES)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                if not module_level:
                    visit(child)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for branch in (child.body if not module_level else []) + child.orelse:
                    visit(ast.Module(body=[branch], type_ignores=[]))
            else:
                visit(child)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    found.discard(module)
    return found


def _module_graph() -> dict[str, set[str]]:
    return {module: _imports(module, module_level=True) for module in MODULES}


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN.items())
def test_a_lower_package_imports_nothing_from_a_higher_one(package: str, forbidden: tuple[str, ...]) -> None:
    wrong = {
        f"{module} imports {target}"
        for module in MODULES
        if module.split(".")[0] == package
        for target in _imports(module, module_level=False)
        if target.split(".")[0] in forbidden
    }
    assert not wrong, sorted(wrong)


def test_no_import_cycle_at_module_level() -> None:
    try:
        tuple(TopologicalSorter(_module_graph()).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_only_the_http_surface_imports_the_http_surface() -> None:
    wrong = {
        f"{module} imports {target}"
        for module, targets in _module_graph().items()
        for target in targets
        if HTTP.match(target) and not HTTP.match(module)
    }
    assert not wrong, sorted(wrong)


def test_no_module_imports_the_application() -> None:
    importers = [module for module in MODULES if "api.main" in _imports(module, module_level=False)]
    assert not importers


def test_the_rules_see_the_whole_project() -> None:
    # A rule over no modules passes trivially: make sure the walk found the layers and the surface.
    assert {"risk.assess", "reports.render", "api.context", "api.main"} <= MODULES.keys()
    assert {m for m in MODULES if HTTP.match(m)} >= {
        "api.main",
        "api.routes.assessments",
        "api.web.pages_auth",
    }
