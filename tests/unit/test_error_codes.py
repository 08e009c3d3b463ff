"""The `code` of a --json error is stable and documented: each one an error can carry is in the README."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Codes that are not an error class of ours: click's usage errors, Ctrl-C, a bug, and the system's errors.
SPECIAL = {"usage_error", "interrupted", "bug", "bad_path", "network", "system_refused"}


def _error_classes() -> set[type]:
    for top in ("wallet_cli", "chains", "keystore"):
        pkg = importlib.import_module(top)
        for m in pkgutil.walk_packages(pkg.__path__, top + "."):
            if not m.name.endswith(("__main__", ".main")):
                importlib.import_module(m.name)
    from chains.errors import ChainError
    from keystore.errors import KeystoreError
    from wallet_cli.errors import CliError

    def subclasses(c: type) -> set[type]:
        return {c}.union(*(subclasses(s) for s in c.__subclasses__()))

    return subclasses(ChainError) | subclasses(KeystoreError) | subclasses(CliError)


def documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Error codes", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


def test_every_error_code_is_documented() -> None:
    from wallet_cli.errors import code_for, exit_code_for

    codes = {}
    for cls in _error_classes():
        e = cls.__new__(cls)
        Exception.__init__(e, "x")
        if exit_code_for(e) is not None:
            codes[code_for(e)] = cls.__qualname__
    missing = sorted((set(codes) | SPECIAL) - documented())
    assert not missing, f"not in the README's error codes: {missing}"


def test_codes_follow_the_class_not_the_message() -> None:
    from chains.errors import InsufficientFunds
    from wallet_cli.errors import code_for

    assert code_for(InsufficientFunds("余额不足")) == code_for(InsufficientFunds("not enough")) == "insufficient_funds"
    assert code_for(FileNotFoundError(2, "No such file", "/x")) == "bad_path"
    assert code_for(TimeoutError()) == "network"
