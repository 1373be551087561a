"""Who may import whom, read from the source (ast) of every module: the product never imports the
operator's tooling, the tests or their support; core/ knows neither the agent nor the API; the
benchmarks and testkit/ stand without the tests; and a conftest.py is only pytest's to load."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT

PACKAGES = ("agent", "api", "core", "ops", "testkit", "tests", "bench")
PRODUCT_MAY_NOT_IMPORT = ("ops", "tests", "testkit", "bench")

# (package, the top-level packages its modules may not import)
RULES = [
    ("agent", PRODUCT_MAY_NOT_IMPORT),
    ("api", PRODUCT_MAY_NOT_IMPORT),
    ("core", (*PRODUCT_MAY_NOT_IMPORT, "agent", "api")),
    # The operator's side of the product: it runs the others, but never their tests.
    ("ops", ("tests", "testkit", "bench")),
    ("bench", ("tests",)),
    # Shared by the tests and the benchmarks, so it must stand without either.
    ("testkit", ("tests", "bench")),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[str]:
    """Every module `path` imports, anywhere in it (also inside functions), as absolute names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from . import x` / `from ..a import x`, resolved against this module's package.
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            # `from package import module` imports that module too (for conftest below).
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_every_package_has_modules() -> None:
    # A renamed or moved package would otherwise make every rule below pass vacuously.
    for package in PACKAGES:
        assert sources(package), package


@pytest.mark.parametrize(("package", "forbidden"), RULES, ids=[package for package, _ in RULES])
def test_imports_respect_the_layers(package: str, forbidden: tuple[str, ...]) -> None:
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for path in sources(package)
        for name in imported(path)
        if name.split(".")[0] in forbidden
    ]
    assert wrong == []


def test_nothing_imports_a_conftest() -> None:
    # pytest loads conftest.py files itself; a test importing one gets a second copy of its
    # fixtures' module and hides where its helpers live (tests/support/ is for those).
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for package in PACKAGES
        for path in sources(package)
        for name in imported(path)
        if "conftest" in name.split(".")
    ]
    assert wrong == []
