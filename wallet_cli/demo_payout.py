"""The demo's payout step: a 5-row CSV paid on one local chain, killed mid-run with SIGKILL, then resumed.

The killed run is a real child process (`python -m wallet_cli pay ...`), killed as soon as the journal shows
its first signed transaction; the resume is the same command, run again, which pays only what is left.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any

from wallet_cli import output
from wallet_i18n import N_, _

NETWORKS = {"evm": "local-evm", "btc": "local-btc", "sol": "local-sol"}


def _recipients(family: str) -> list[str]:
    if family == "evm":
        from keystore.addresses import to_checksum_address

        return [to_checksum_address(os.urandom(20)) for _i in range(5)]
    if family == "btc":
        from coincurve import PrivateKey

        from keystore.addresses import btc_address

        return [btc_address(PrivateKey(os.urandom(32)).public_key.format(), "p2wpkh", "regtest") for _i in range(5)]
    from solders.keypair import Keypair

    return [str(Keypair().pubkey()) for _i in range(5)]


def _paid_rows(home: Any, run: str) -> int:
    db = home / "wallet.db"
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(con.execute("SELECT count(*) FROM payout_rows WHERE run = ? AND state != 'new'",
                               (run,)).fetchone()[0])
    except sqlite3.OperationalError:          # no payout tables yet
        return 0
    finally:
        con.close()


def show(t: Any, family: str, say: Any) -> None:
    """t is the demo's Tour (home, pw, wallet()); say(msgid, **fields) prints a section title."""
    network, run = NETWORKS[family], f"demo-{family}"
    amount = {"evm": "0.01", "btc": "0.001", "sol": "0.01"}[family]
    csv = t.home / f"{run}.csv"
    csv.write_text("id,to,amount,memo\n" + "".join(f"p{i},{a},{amount},row {i}\n"
                                                  for i, a in enumerate(_recipients(family), 1)))
    say(N_("Payout on {network}: a 5-row CSV, killed with SIGKILL mid-run, then resumed"), network=network)
    args = ["pay", str(csv), "--network", network, "--from", f"{family}:0", "--run", run]
    args += {"evm": ["--chunk-size", "1"], "btc": ["--max-outputs", "2"], "sol": []}[family]
    killed = _("killed as soon as it has signed")
    output.err_console().print(f"[dim]$ wallet {' '.join(args)}   # {killed}[/]")
    child = subprocess.Popen([sys.executable, "-m", "wallet_cli", "--home", str(t.home), "--password-file",
                              str(t.pw), "--yes", "--json", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while child.poll() is None and _paid_rows(t.home, run) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait()
    output.err_console().print("  " + _("killed: {signed} of {rows} rows were signed before the kill").format(
        signed=_paid_rows(t.home, run), rows=5), markup=False)
    t.wallet("pay", "status", run)
    say(N_("Resume: the same command pays only the rows with no landed or in-flight transaction"))
    t.wallet(*args, *(["--wait"] if family != "btc" else []))
    t.wallet("pay", "status", run)
