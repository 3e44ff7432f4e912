"""The pages' Content-Security-Policy: inline scripts named by hash, read from the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftapp import csp
from tests.helpers.csp_pages import build, prerendered_page, script_src

# The CSP specification's own example: this script's sha256, as browsers compute it.
SPEC_SCRIPT = "alert('Hello, world.');"
SPEC_HASH = "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="


def test_a_script_is_hashed_as_browsers_do() -> None:
    assert csp.inline_script_hashes(f"<script>{SPEC_SCRIPT}</script>") == {SPEC_HASH}
    # The HTML parser turns CRLF and CR into LF before the script exists.
    assert csp.inline_script_hashes(
        "<script>a();\r\nb();\rc();</script>"
    ) == csp.inline_script_hashes("<script>a();\nb();\nc();</script>")


def test_every_inline_script_of_a_page_is_named_and_no_external_one() -> None:
    hashes = csp.inline_script_hashes(prerendered_page(SPEC_SCRIPT, "window.x = '</div>';"))
    assert len(hashes) == 3  # the two in the head and the module script
    assert SPEC_HASH in hashes
    assert csp.inline_script_hashes(prerendered_page()) == csp.inline_script_hashes(
        '<script type="module" async="">import "/assets/manifest-9d423e60.js";</script>'
    )


def test_the_policy_allows_only_the_named_inline_scripts() -> None:
    sources = script_src(csp.policy([SPEC_HASH]))
    assert sources == ["'self'", f"'sha256-{SPEC_HASH}'", "'unsafe-eval'"]
    assert script_src(csp.NO_INLINE_SCRIPTS) == ["'self'", "'unsafe-eval'"]
    assert "frame-ancestors 'none'" in csp.NO_INLINE_SCRIPTS
    assert "object-src 'none'" in csp.NO_INLINE_SCRIPTS


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    folder = tmp_path / ".web" / "build" / "client"
    folder.mkdir(parents=True)
    return folder


def test_before_a_build_no_inline_script_may_run(static_dir: Path) -> None:
    assert csp.PagePolicy(static_dir)() == csp.NO_INLINE_SCRIPTS
    assert csp.PagePolicy(static_dir / "missing")() == csp.NO_INLINE_SCRIPTS


def test_the_policy_names_the_scripts_of_every_built_page(static_dir: Path) -> None:
    pages = {"index.html": prerendered_page("a()"), "jobs/new/index.html": prerendered_page("b()")}
    build(static_dir, pages)
    sources = script_src(csp.PagePolicy(static_dir)())
    expected = {
        f"'sha256-{digest}'"
        for name in pages
        for digest in csp.inline_script_hashes((static_dir / name).read_text())
    }
    assert set(sources) == {"'self'", "'unsafe-eval'", *expected}
    assert len(expected) == 3  # a(), b() and the module script both pages share
    assert "'unsafe-inline'" not in sources


def test_a_new_build_is_read_again(static_dir: Path) -> None:
    policy = csp.PagePolicy(static_dir)
    build(static_dir, {"index.html": prerendered_page("first()")})
    first = policy()
    assert policy() is first  # unchanged build: not read again
    build(static_dir, {"index.html": prerendered_page("second()")})
    second = policy()
    assert second != first
    assert csp.inline_script_hashes("<script>second()</script>").pop() in second


def test_the_build_folder_is_reflexs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path / "web"))
    assert csp.reflex_build_dir() == (tmp_path / "web" / "build" / "client").resolve()
