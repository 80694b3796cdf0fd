"""The project's shape (README, "Layout"): layer rules checked by import-linter, modules kept small,
every service laid out with the same names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("staff", "booking", "reception", "workshop", "parts", "billing", "followup", "hq")
MAX_LINES = 400


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    program = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(program), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def broken_tree(tmp_path_factory) -> subprocess.CompletedProcess:
    """A copy of the code with one violation of each kind written into it on purpose."""
    tree = tmp_path_factory.mktemp("tree")
    for package in ("contracts", "kit", "services"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "*.html"))
    shutil.copy(ROOT / ".importlinter", tree / ".importlinter")

    def append(path: str, line: str) -> None:
        with (tree / path).open("a") as module:
            module.write(f"\n{line}\n")

    append("services/parts/domain.py", "import sqlalchemy  # a framework in a domain module")
    append("services/billing/handlers.py", "from services.parts import models as _parts_models  # another service")
    append("contracts/names.py", "import kit.errors  # contracts reaching up into the kit")
    append("services/followup/domain.py", "from . import handlers as _handlers  # a lower layer importing a higher")
    (tree / "services/staff/helpers.py").write_text('"""A module outside the agreed layout."""\n')
    return lint_imports(tree)


def test_the_tree_keeps_its_layer_rules():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "broken",
    [
        "Services never import each other BROKEN",
        "Domain modules import no framework BROKEN",
        "Contracts import nothing of the project BROKEN",
        "holds nothing else BROKEN",
    ],
)
def test_import_linter_refuses_each_kind_of_violation(broken_tree, broken):
    assert broken_tree.returncode == 1, broken_tree.stdout + broken_tree.stderr
    assert broken in broken_tree.stdout.replace("\n", " ")


def test_a_lower_layer_importing_a_higher_one_is_named(broken_tree):
    assert "services.followup.domain -> services.followup.handlers" in broken_tree.stdout


def test_no_python_module_is_over_400_lines_outside_migrations_and_tests():
    skip = {"tests", "migrations", "var", "node_modules"}
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in ROOT.rglob("*.py")
        if not skip & set(parts := path.relative_to(ROOT).parts)
        and not any(part.startswith(".") for part in parts)  # .venv, .venv-py313, .git
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_layout(service):
    folder = ROOT / "services" / service

    def has(name: str) -> bool:
        return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()

    for layer in ("service", "permissions", "domain", "handlers", "models", "web"):
        assert has(layer), f"services/{service} has no {layer} module"
    assert (folder / "templates").is_dir() and (folder / "migrations").is_dir()
    assert not (folder / "ui").exists()
