"""The house's import rules, read from the source: no module imports a private name (one that
starts with ``_``) of another module, and the modules' imports have no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from paths import REPO

SRC = REPO / "src"
PACKAGE = SRC / "marsad"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, ast.Module]:
    return {
        module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
        for p in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in p.parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """Every import a module can run, at load time or inside a function (an import moved into a
    function to dodge a cycle is still one); those only for type checkers are left out."""
    found: list[ast.ImportFrom | ast.Import] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            stack.append(child)
    return found


def imported_modules(node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in known}
    base = node.module or ""
    submodules = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known}
    names_of_base = len(submodules) < len(node.names)
    return submodules | ({base} if base in known and names_of_base else set())


def test_no_private_name_is_imported_from_another_module() -> None:
    crossing = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("marsad"):
                crossing += [
                    f"{name} imports {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert crossing == []


def test_imports_have_no_cycle() -> None:
    trees = modules()
    known = set(trees)
    # a package is loaded before its modules, so a module importing its own package is no cycle
    graph = {
        name: {
            target
            for n in module_imports(tree)
            for target in imported_modules(n, known)
            if target != name and not name.startswith(target + ".")
        }
        for name, tree in trees.items()
    }
    cycles = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append(" -> ".join([*path[path.index(node) :], node]))
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*path, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


def test_the_checks_see_a_cycle_and_a_private_import() -> None:
    """The rules above can fail: a made-up pair of modules trips both."""
    a = ast.parse("from marsad.b import _secret\n")
    b = ast.parse("import marsad.a\n")
    known = {"marsad.a", "marsad.b"}
    edges = {
        "marsad.a": set().union(*(imported_modules(n, known) for n in module_imports(a))),
        "marsad.b": set().union(*(imported_modules(n, known) for n in module_imports(b))),
    }
    assert edges == {"marsad.a": {"marsad.b"}, "marsad.b": {"marsad.a"}}
    privates = [x.name for n in ast.walk(a) if isinstance(n, ast.ImportFrom) for x in n.names]
    assert privates == ["_secret"]
