"""Console entry point (`wallet`): run the app and exit with its code."""

from __future__ import annotations

import sys

from wallet_cli.runner import run_cli


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv)


def run() -> None:
    sys.exit(main())
