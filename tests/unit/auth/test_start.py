"""One start, several workers: they share the per-start access token (derived from the
inherited start id and the database's secret key) and print the sign-in link once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ftapp import startup
from ftapp.settings import PROJECT_ROOT

WORKER = """
from ftapp.auth import access
from ftapp.settings import current_settings
from ftapp.database import upgrade_on_start
upgrade_on_start()
access.announce_sign_in_link()
print("TOKEN", access.access_token(current_settings()))
"""


def start_workers(database: Path, start_id: str, count: int) -> list[str]:
    """Run ``count`` worker-like processes at once; returns what each printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FT_")}
    env.update(REFLEX_DB_URL=f"sqlite:///{database}", FTAPP_START_ID=start_id)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
        outputs.append(out)
    return outputs


def test_workers_of_one_start_share_the_token_and_print_the_link_once(tmp_path: Path) -> None:
    database = tmp_path / "app.db"  # a fresh database: the workers also race for its key
    outputs = start_workers(database, "start-one", 3)
    tokens = {line.split()[1] for out in outputs for line in out.splitlines() if "TOKEN" in line}
    assert len(tokens) == 1
    banners = [line for out in outputs for line in out.splitlines() if "Open ftapp:" in line]
    assert len(banners) == 1
    (token,) = tokens
    assert banners[0].strip().endswith(f"/login?token={token}")

    restart = start_workers(database, "start-two", 2)
    new_tokens = {
        line.split()[1] for out in restart for line in out.splitlines() if "TOKEN" in line
    }
    assert len(new_tokens) == 1
    assert new_tokens != tokens
    assert sum(out.count("Open ftapp:") for out in restart) == 1


def test_the_start_id_is_inherited_by_child_processes() -> None:
    own = startup.mark_start()
    assert startup.start_id() == own
    child = subprocess.run(
        [sys.executable, "-c", "from ftapp.startup import start_id; print(start_id())"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == own


def test_loading_rxconfig_marks_the_start_before_any_worker_exists() -> None:
    env = {k: v for k, v in os.environ.items() if k != startup.START_ID_ENV}
    code = (
        "import os; from reflex_base.config import get_config; get_config(); "
        f"print(os.environ.get({startup.START_ID_ENV!r}, 'unset'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    marked = result.stdout.strip().splitlines()[-1]
    assert len(marked) == 32
    assert int(marked, 16) >= 0
