"""ftapp.auth stays self-contained: it needs nothing of the pages, services, components,
upstream client or sandbox (only the settings, the routes, the app database, the start's
shared values, the one-line log sanitiser and the metrics); its modules stay short; its
public names all import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ftapp.auth
from tests.helpers.imports import imports_of, reaches

PACKAGE = Path(ftapp.auth.__file__).resolve().parent
ALLOWED = (
    "ftapp.auth",
    "ftapp.settings",
    "ftapp.routes",
    "ftapp.database",
    "ftapp.models",
    "ftapp.startup",
    "ftapp.sockets",
    "ftapp.guard.text",
    "ftapp.metrics",
    "ftapp.log_format",
)
MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_it_imports_only_itself_and_the_settings(path: Path) -> None:
    own = [name for name in imports_of(path) if reaches(name, "ftapp")]
    bad = [name for name in own if name != "ftapp" and not any(reaches(name, a) for a in ALLOWED)]
    assert bad == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_modules_stay_short(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_every_module_says_what_it_is_for(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text()))


def test_the_public_names_import() -> None:
    for name in ftapp.auth.__all__:
        assert getattr(ftapp.auth, name) is not None
    with pytest.raises(AttributeError):
        _ = ftapp.auth.nothing_here  # type: ignore[attr-defined]


def test_the_settings_import_no_database_code() -> None:
    import subprocess
    import sys

    code = "import sys, ftapp.settings; print('sqlmodel' in sys.modules, 'reflex' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent.parent,
    )
    assert result.stdout.split() == ["False", "False"]
