"""Global options of one invocation, set by the root callback and read by commands."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


def default_home() -> Path:
    env = os.environ.get("WALLET_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("wallet-cli", appauthor=False))


@dataclass
class Options:
    home: Path
    json: bool = False
    yes: bool = False
    password_file: Path | None = None
    vault: str = "default"
    debug: bool = False
    vault_given: bool = True   # named by --vault or WALLET_VAULT (not chosen as the home's only vault)

    @property
    def interactive(self) -> bool:
        """A person is there to answer prompts: stdin and stderr are terminals."""
        return sys.stdin.isatty() and sys.stderr.isatty()


_current: Options | None = None


def set_options(opts: Options) -> None:
    global _current
    _current = opts


def options() -> Options:
    if _current is None:
        set_options(Options(home=default_home()))
    assert _current is not None
    return _current
