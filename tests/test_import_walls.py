"""docs/architecture.md's walls: imports run one way, and the supervised side cannot reach cases."""

import ast

import pytest
from support import REPO

FORBIDDEN = {
    "core": {"portal", "admin", "complaints", "disclosures", "rules", "app"},
    "portal": {"admin"},
    "complaints": {"admin"},
    "disclosures": {"complaints", "admin", "portal", "rules"},
    # The rules raise cases; the back office works them: admin may use rules, never the reverse.
    "rules": {"admin", "portal"},
}


def imported_packages(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_its_walls(package):
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
