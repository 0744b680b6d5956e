"""The house rules, checked on the source with ``ast`` so they hold after us.

- Stages in data-flow order: a module of ``listening`` imports only from its
  own stage or earlier ones (imports inside functions count).
- No import cycles between modules of ``listening``.
- No module uses another module's private names (``from m import _x``,
  ``m._x``, or ``obj._x`` for an attribute its own module never defines).
- Modules and classes stay small enough to read in one sitting.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "listening"
STAGES = ("base", "ingest", "design", "estimate", "publish", "explorer", "cli")
MAX_MODULE_LINES = 800
MAX_CLASS_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in {"errors", "paths"}:
        return STAGES.index("base")
    return STAGES.index(parts[1])


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if importer not in MODULES or MODULES[importer].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, text: str | None = None) -> list[tuple[str, int, list[str]]]:
    """(imported listening module, line, names) for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text() if text is None else text)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, []) for a in node.names if a.name.startswith("listening")]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, node)
            if not target.startswith("listening"):
                continue
            names = [a.name for a in node.names]
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if submodules:
                out += [(s, node.lineno, []) for s in submodules]
            else:
                out.append((target, node.lineno, names))
    return out


def test_every_module_is_in_a_stage():
    for module in MODULES:
        assert 0 <= stage(module) < len(STAGES), module


def late_imports(module: str, text: str | None = None) -> list[str]:
    return [
        f"line {line}: {target} (stage {STAGES[stage(target)]})"
        for target, line, _ in imports(module, text)
        if stage(target) > stage(module)
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module):
    late = late_imports(module)
    assert not late, f"{module} (stage {STAGES[stage(module)]}) imports a later stage: {late}"


def test_no_import_cycles():
    graph = {m: {t for t, _, _ in imports(m) if t in MODULES and t != m} for m in MODULES}
    graph = {m: {t for t in targets if not m.startswith(t + ".")} for m, targets in graph.items()}
    seen: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        path.append(m)
        for t in graph[m]:
            if seen.get(t) == 1:
                cycle = path[path.index(t) :] + [t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in seen:
                visit(t)
        path.pop()
        seen[m] = 2

    for m in graph:
        if m not in seen:
            visit(m)


def defined_private_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in {"self", "cls"}:
                names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # object.__setattr__(self, "_x", ...)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if n.startswith("_")}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(module: str, text: str | None = None) -> list[str]:
    text = MODULES[module].read_text() if text is None else text
    tree = ast.parse(text)
    own = defined_private_names(tree)
    bad = [
        f"line {line}: from {target} import {name}"
        for target, line, names in imports(module, text)
        for name in names
        if private(name)
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr) and node.attr not in own:
            bad.append(f"line {node.lineno}: .{node.attr}")
    return bad


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_across_modules(module):
    bad = private_uses(module)
    assert not bad, f"{module} uses private names of other modules: {bad}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_classes_are_small(module):
    text = MODULES[module].read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{module} has more than 800 lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"{module}.{node.name} has {size} lines"


def test_the_checks_can_fail():
    """The rules do catch a late import and private names when they are there."""
    inside = "def f(design):\n    from listening.publish.tables import crosstab\n"
    assert late_imports("listening.estimate.estimators", inside)
    assert not late_imports("listening.cli", inside)
    reach = "def f(design):\n    return design._groups\n"
    assert private_uses("listening.estimate.estimators", reach) == ["line 2: ._groups"]
    named = "from listening.estimate.estimators import _Sums\n"
    assert private_uses("listening.estimate.association", named)
    own = "class A:\n    def __init__(self):\n        self._x = 1\n    def g(self, o):\n"
    assert not private_uses("listening.estimate.association", own + "        return o._x\n")


APP_FILES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
APP_FORBIDDEN = ("numpy", "scipy")


@pytest.mark.parametrize("path", APP_FILES, ids=[p.name for p in APP_FILES])
def test_the_app_uses_only_the_public_api_and_the_explorer(path):
    """Widgets, caching and layout: ``import listening as yl`` or ``listening.explorer``."""
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in APP_FORBIDDEN or (top == "listening" and alias.name != "listening"):
                    bad.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            explorer = node.module == "listening.explorer" or node.module.startswith(
                "listening.explorer."
            )
            if top in APP_FORBIDDEN or (top == "listening" and not explorer):
                bad.append(f"line {node.lineno}: from {node.module} import ...")
            bad += [f"line {node.lineno}: {a.name}" for a in node.names if private(a.name)]
        elif isinstance(node, ast.Attribute) and private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in {"yl", "shared"}:
                bad.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not bad, f"{path.name} reaches past the public API: {bad}"
