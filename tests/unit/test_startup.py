"""Before anything is built: bad settings stop with one line, one `reflex run` per checkout."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ftapp import startup

REFLEX_RUN = ["/venv/bin/reflex", "run", "--env", "prod", "--frontend-port", "3030"]


def test_a_bad_setting_stops_with_one_line_and_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FT_API_BASE_URL", "https://training.example.test/api")
    monkeypatch.delenv("FT_API_KEY", raising=False)
    with pytest.raises(SystemExit) as stopped:
        startup.settings_or_exit()
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "ftapp: FT_API_KEY must be set when FT_API_BASE_URL points at a hosted API\n"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (REFLEX_RUN, True),
        (["/venv/bin/reflex", "db", "migrate"], False),
        (["/venv/bin/ftapp", "users", "list"], False),
        (["granian", "--interface", "asgi"], False),
        (["/venv/bin/reflex"], False),
    ],
)
def test_only_reflex_run_claims_the_checkout(argv: list[str], expected: bool) -> None:
    assert startup.is_reflex_run(argv) is expected


def claim_in_another_process(checkout: Path) -> subprocess.CompletedProcess[str]:
    """``reflex run``'s claim on ``checkout``, made by a new process that then ends."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from ftapp import startup; "
            f"startup.claim_checkout(Path({str(checkout)!r}), {REFLEX_RUN!r})",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_second_run_from_the_same_checkout_stops_with_a_clear_line(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from ftapp import startup
                startup.claim_checkout(Path({str(tmp_path)!r}), {REFLEX_RUN!r})
                print("claimed", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "claimed"
        second = claim_in_another_process(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert second.returncode == 2
    assert second.stderr.startswith(f"ftapp: another ftapp is already running from {tmp_path}")
    assert "port 3030" in second.stderr

    # Once the first has stopped, the checkout is free again.
    again = claim_in_another_process(tmp_path)
    assert again.returncode == 0, again.stderr
