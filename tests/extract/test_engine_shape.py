"""The engine stays readable: a short Engine that runs stages, and no long functions."""

from __future__ import annotations

import ast

from paths import REPO

EXTRACT = REPO / "src" / "marsad" / "extract"
LONGEST = 80


def test_the_engine_module_only_runs_the_stages() -> None:
    lines = (EXTRACT / "engine.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300


def test_no_function_of_the_engine_is_longer_than_80_lines() -> None:
    long = []
    for path in sorted(EXTRACT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > LONGEST:
                    long.append(f"{path.relative_to(EXTRACT)}:{node.lineno} {node.name} ({size})")
    assert long == []
