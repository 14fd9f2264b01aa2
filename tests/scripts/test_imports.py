"""scripts/ never imports from tests/: a helper both need lives in a package (devstack/), so the
scripts run without the test suite and the tests stay free to change."""

from __future__ import annotations

import ast

from knowledge.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"


def _imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports, anywhere in it (also inside functions)."""
    packages: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_the_check_finds_imports_from_tests_at_top_level_and_inside_functions() -> None:
    assert "tests" in _imported_packages("from tests.e2e.stack import Stack\n")
    assert "tests" in _imported_packages("def main() -> None:\n    import tests.bot_connector\n")
    assert "tests" not in _imported_packages("from devstack.stack import Stack\nimport testsuite\n")


def test_no_script_imports_from_tests() -> None:
    scripts = sorted(SCRIPTS.rglob("*.py"))
    assert SCRIPTS / "bench.py" in scripts
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in scripts
        if "tests" in _imported_packages(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
