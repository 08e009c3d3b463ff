"""Shared pieces of the CLI benchmarks: run a command, write a private file, a throwaway wallet env."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").exists() else sys.executable
PASSWORD = "bench password"


def run(argv: list[str], env: dict[str, str], stdin: str | None = None, cwd: Path = REPO) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, input=stdin, cwd=cwd,
                         stdin=None if stdin is not None else subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} {' '.join(argv[1:3])} failed ({out.returncode}): "
                           f"{out.stderr.strip()[-400:]}")
    return out.stdout


def private_file(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def wallet_env(home: Path, root: Path = REPO, **extra: str) -> dict[str, str]:
    """The environment of a wallet process in a throwaway home with the weak test KDF (KDF excluded)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLET_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a normal install has .pyc files
    env.update(WALLET_HOME=str(home), WALLET_INSECURE_TEST_KDF="1", NO_COLOR="1", PYTHONPATH=str(root), **extra)
    return env


def median_ms(argv: list[str], env: dict[str, str], runs: int, check: str | None = None) -> float:
    """Median wall time of `runs` fresh processes, after one warm-up run."""
    run(argv, env)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = run(argv, env)
        times.append((time.perf_counter() - t0) * 1000)
        if check is not None and check not in out:
            raise RuntimeError(f"{argv[3:6]} printed no {check!r}: {out[:200]}")
    return round(statistics.median(times), 1)


def cpu_model() -> str:
    import platform

    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def regtest_bip84_account(count: int):  # noqa: ANN201 - (chains.base.Account, addresses, account xprv)
    """A fresh random BIP84 regtest account (bip-utils, independent of our keystore) and its first addresses."""
    import secrets

    from bip_utils import Bip39MnemonicGenerator, Bip39SeedGenerator, Bip44Changes, Bip84, Bip84Coins

    from chains.base import Account

    mnemonic = str(Bip39MnemonicGenerator().FromEntropy(secrets.token_bytes(16)))
    acct = Bip84.FromSeed(Bip39SeedGenerator(mnemonic).Generate(), Bip84Coins.BITCOIN_REGTEST).Purpose().Coin() \
        .Account(0)
    ext = acct.Change(Bip44Changes.CHAIN_EXT)
    addresses = [ext.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]
    account = Account(chain="btc", index=0, path="m/84'/1'/0'", address=addresses[0], public_key="",
                      xpubs={"test": acct.PublicKey().ToExtended()})
    return account, addresses, acct.PrivateKey().ToExtended()
