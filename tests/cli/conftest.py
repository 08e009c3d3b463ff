"""Run the real CLI: in-process through main() (fast), or as a subprocess where a real process matters."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
PASSWORD = "correct horse battery staple"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def pwfile(tmp_path: Path) -> Path:
    p = tmp_path / "pw.txt"
    p.write_text(PASSWORD + "\n")
    p.chmod(0o600)
    return p


@pytest.fixture
def cli(home: Path, pwfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """cli(*args, stdin=None, password=True) -> Result, run in this process."""
    from wallet_cli import session
    from wallet_cli.main import main

    def run(*args: str, stdin: str | None = None, password: bool = True) -> Result:
        session._unlocked.clear()
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        argv = ["--home", str(home)] + (["--password-file", str(pwfile)] if password else []) + list(args)
        code = main(argv)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def wallet_proc(home: Path, pwfile: Path):
    """wallet_proc(*args, stdin=None, env=None) -> Result, run as a real process with no terminal."""
    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            password: bool = True, timeout: float = 60) -> Result:
        argv = [sys.executable, "-m", "wallet_cli", "--home", str(home)]
        if password:
            argv += ["--password-file", str(pwfile)]
        p = subprocess.run(argv + list(args), input=stdin or "", capture_output=True, text=True,
                           env={**os.environ, **(env or {})}, timeout=timeout)
        return Result(p.returncode, p.stdout, p.stderr)

    return run


@pytest.fixture
def restored(cli) -> Any:
    """A vault restored from the BIP39 test mnemonic."""
    r = cli("--json", "restore", stdin=ABANDON + "\n")
    assert r.code == 0, r.err
    return r.json()


@pytest.fixture
def new_funded_vault(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """new_funded_vault(family, url, amount) -> {"from", "to", "url", "mnemonic"}.

    A new vault (a fresh seed, since sandboxes are shared by a module) whose FAMILY:0 is funded with
    `amount` on local-FAMILY at `url`, plus FAMILY:1 as a recipient.
    """
    def make(family: str, url: str, amount: str) -> dict[str, str]:
        net = f"local-{family}"
        monkeypatch.setenv("WALLET_RPC_" + net.upper().replace("-", "_"), url)
        phrase = tmp_path / "m.txt"
        r = cli("--json", "init", "--mnemonic-out", str(phrase))
        assert r.code == 0, r.err
        d = cli("--json", "accounts", "derive", "--chain", family)
        assert d.code == 0, d.err
        f = cli("--json", "devnet", "fund", f"{family}:0", "--amount", amount, "--network", net)
        assert f.code == 0, f.err
        sender = next(a["address"] for a in r.json()["accounts"] if a["ref"] == f"{family}:0")
        return {"from": sender, "to": d.json()[0]["address"], "url": url, "mnemonic": str(phrase)}

    return make


@pytest.fixture(scope="module")
def chain() -> Any:
    """An anvil of the test module's own (a module that needs another chain defines its own `chain`)."""
    from devnet import anvil

    with anvil.Sandbox() as sb:
        yield sb


@pytest.fixture
def evm(new_funded_vault, chain) -> dict[str, str]:  # noqa: ANN001
    """A new vault whose evm:0 holds 10 ETH on the module's anvil, and evm:1."""
    return new_funded_vault("evm", chain.url, "10")
