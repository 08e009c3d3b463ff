"""Suite-wide settings: the weak test KDF (the one explicit test setting) and an isolated home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# The one explicit test setting: new vaults use a weak Argon2id and are marked weak (see keystore/vault.py).
os.environ["WALLET_INSECURE_TEST_KDF"] = "1"
# Never let a test touch the developer's real wallet, keyring or password sources.
for var in ("WALLET_HOME", "WALLET_PASSWORD", "WALLET_PASSWORD_FILE", "WALLET_VAULT"):
    os.environ.pop(var, None)
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
os.environ["NO_COLOR"] = "1"
# Messages in English unless a test chooses a language (tests/cli/test_i18n_cli.py).
os.environ["WALLET_LANG"] = "en"


@pytest.fixture(autouse=True)
def _language_per_test() -> Iterator[None]:
    """The language is decided once per process: a test that ran the CLI in Chinese in-process must not
    leave Chinese to the next test on the same worker."""
    import wallet_i18n

    yield
    wallet_i18n.use(None)
    wallet_i18n.set_home(None)
    wallet_i18n.reset()


@pytest.fixture(autouse=True)
def _isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs and keyrings.alt write under XDG dirs: point them at a per-test temp dir."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("HOME", str(base / "home"))


# The bad-input suite (tests/reliability/bad_inputs) tags each case's outcome; these print the counts.
# They live here because under pytest-xdist only this conftest is loaded by the controlling process.
_bad_input_counts: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "bad_input":
                _bad_input_counts[value] = _bad_input_counts.get(value, 0) + 1


def pytest_terminal_summary(terminalreporter: Any) -> None:  # noqa: ANN401 - pytest's TerminalReporter
    c = _bad_input_counts
    if c:
        terminalreporter.write_line(
            f"bad inputs: {sum(c.values())} cases, {c.get('exit-1', 0)} exit-1s, {c.get('traceback', 0)} tracebacks, "
            f"{c.get('hang', 0)} hangs, {c.get('exit-0', 0)} accepted, {c.get('sentence', 0)} not one sentence")
