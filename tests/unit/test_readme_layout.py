"""The README's project layout names every package and module under ftapp/, so the map
cannot drift from the territory (a new module without a line there fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ftapp"


def layout() -> str:
    """The README's "Project layout" code block."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Project layout")
    opening = readme.index("```", start)
    return readme[opening : readme.index("```", opening + 3)]


def modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts and path.name != "__init__.py"
    )


def packages() -> list[Path]:
    return sorted(path.parent for path in PACKAGE.rglob("__init__.py") if path.parent != PACKAGE)


def names(block: str, file_name: str) -> bool:
    """True when ``file_name`` stands in ``block`` as a word of its own (not inside another
    name, e.g. ``state.py`` in ``workspace_state.py``)."""
    return re.search(rf"(?<![\w/.-]){re.escape(file_name)}(?![\w.-])", block) is not None


@pytest.mark.parametrize("module", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_module_is_on_the_map(module: Path) -> None:
    block = layout()
    relative = module.relative_to(ROOT)
    folder = f"{module.parent.name}/"
    assert str(relative) in block or (names(block, module.name) and folder in block), (
        f"README's project layout does not name {relative}"
    )


@pytest.mark.parametrize("package", packages(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_package_is_on_the_map(package: Path) -> None:
    assert f"{package.name}/" in layout(), f"README's project layout does not name {package}"


def test_the_map_names_no_module_that_is_gone() -> None:
    block = layout()
    listed = {Path(name).name for name in re.findall(r"ftapp/[\w/]+\.py", block)}
    present = {path.name for path in PACKAGE.rglob("*.py")}
    assert listed <= present, sorted(listed - present)
