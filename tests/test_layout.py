"""The test tree stays collision-free as mechanisms are added (see the guard in conftest.py).

Every folder under tests/ that holds Python files is a package, and test code imports
shared helpers by package path (``from tests.spb.contracts.helpers import ...``), never
by a bare module name that only resolves because pytest put a test folder on sys.path.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIP = {"__pycache__"}


def python_folders() -> list[Path]:
    return sorted({p.parent for p in TESTS.rglob("*.py") if not SKIP & set(p.parts)})


def test_every_test_folder_is_a_package():
    missing = [str(d.relative_to(TESTS.parent)) for d in python_folders() if not (d / "__init__.py").exists()]
    assert not missing, f"add an empty __init__.py to: {missing} (else same-named test modules collide)"


def test_no_test_code_imports_a_sibling_module_by_its_bare_name():
    local = {p.stem for p in TESTS.rglob("*.py")} - {"__init__"}
    bare = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            bare += [f"{path.relative_to(TESTS.parent)}: import {n}" for n in names if n in local]
    assert not bare, f"import test helpers by package path (tests.<area>.<module>): {bare}"
