"""Run the sandbox on its own: ``python -m ftapp.sandbox --port 8100 --db PATH --speed 10``."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from ftapp.sandbox.app import SandboxConfig, create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the sandbox until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m ftapp.sandbox", description="Local Job Training API (sandbox)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--db", type=Path, help="SQLite file (default: $FT_SANDBOX_DB or data/)")
    parser.add_argument(
        "--speed", type=float, help="simulated time factor (default: $FT_SANDBOX_SPEED or 1)"
    )
    args = parser.parse_args(argv)
    config = SandboxConfig.from_env(db_path=args.db, speed=args.speed)
    print(f"Sandbox Job Training API on http://{args.host}:{args.port}/api", flush=True)
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
