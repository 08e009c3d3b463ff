"""Console entry point (`wallet`): run the app and exit with its code."""

from __future__ import annotations

import sys

from wallet_cli.runner import run_cli


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv)


def run() -> None:
    # A terminal or pipe that cannot encode a character (LC_ALL=C, PYTHONIOENCODING=ascii) shows it as an
    # escape instead of ending the command: Chinese messages, and "…" in English tables.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")
    sys.exit(main())
