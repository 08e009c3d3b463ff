"""Bitcoin through the real CLI against the regtest sandbox, whose every input check is libbitcoinkernel's."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import devnet.btc_sandbox as btc

NET = "local-btc"


@pytest.fixture(scope="module")
def regtest() -> Iterator[btc.Sandbox]:
    with btc.Sandbox() as sb:
        yield sb


@pytest.fixture
def funded(new_funded_vault, regtest: btc.Sandbox) -> str:
    """A new vault whose btc:0 holds 1 BTC, confirmed, on the module's regtest sandbox."""
    return new_funded_vault("btc", regtest.url, "1")["url"]


def esplora(url: str, path: str) -> object:
    with urllib.request.urlopen(url + path, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body[:1] in b"[{" else body.decode()


def address_of(cli, ref: str) -> str:
    r = cli("--json", "address", ref, "--network", NET, password=False)
    assert r.code == 0, r.err
    return r.json()["address"]


def balance(cli, ref: str) -> dict:
    r = cli("--json", "balance", ref, "--network", NET, password=False)
    assert r.code == 0, r.err
    return r.json()


def test_send_with_change_then_max(cli, funded) -> None:
    assert balance(cli, "btc:0")["confirmed"] == "1"
    to = address_of(cli, "btc:1")
    assert to.startswith("bcrt1q")
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "btc:0", "--to", to, "--amount", "0.1",
            "--fee-rate", "3")
    assert r.code == 0, r.err
    txid = r.json()["txid"]
    tx = esplora(funded, f"/tx/{txid}")
    assert len(tx["vout"]) == 2  # payment and change
    assert all(i["sequence"] < 0xFFFFFFFE for i in tx["vin"])  # RBF signalled
    btc.mine(funded, 1)
    assert balance(cli, "btc:1")["total"] == "0.1"
    left = int(balance(cli, "btc:0")["base_units"])
    assert left == 100_000_000 - 10_000_000 - tx["fee"]
    sweep = cli("--json", "--yes", "send", "--network", NET, "--from", "btc:0", "--to", to, "--amount", "max",
                "--fee-rate", "2")
    assert sweep.code == 0, sweep.err
    btc.mine(funded, 1)
    assert balance(cli, "btc:0")["total"] == "0"


def test_speed_up_replaces_original(cli, funded) -> None:
    to = address_of(cli, "btc:1")
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "btc:0", "--to", to, "--amount", "0.2",
            "--fee-rate", "2")
    assert r.code == 0, r.err
    old = r.json()["txid"]
    bumped = cli("--json", "--yes", "tx", "speed-up", old)
    assert bumped.code == 0, bumped.err
    new = bumped.json()["txid"]
    mempool = esplora(funded, "/mempool/txids")
    assert new in mempool and old not in mempool
    btc.mine(funded, 1)
    assert cli("--json", "tx", "status", new, password=False).json()["state"] == "confirmed"
    assert balance(cli, "btc:1")["total"] == "0.2"


def test_air_gapped_psbt_flow(cli, funded, tmp_path: Path) -> None:
    """A watch-only home builds, the vault home signs offline, the watch-only home broadcasts."""
    xpub = cli("--json", "export-xpub", "btc:0", "--network", NET, password=False).json()
    watch_home = tmp_path / "watch"
    w = ["--home", str(watch_home)]
    assert cli(*w, "--json", "init", "--mnemonic-out", str(tmp_path / "w.txt")).code == 0
    imp = cli(*w, "--json", "import-xpub", xpub["descriptor"], "--network", NET, "--label", "cold")
    assert imp.code == 0, imp.err
    watch_bal = cli(*w, "--json", "balance", "cold", "--network", NET, password=False)
    assert watch_bal.json()["total"] == "1", watch_bal.err
    to = address_of(cli, "btc:1")
    unsigned = tmp_path / "tx.psbt"
    b = cli(*w, "--json", "--yes", "send", "--network", NET, "--from", "cold", "--to", to, "--amount", "0.3",
            "--fee-rate", "2", "--sign-only", "--out", str(unsigned))
    assert b.code == 0, b.err
    assert b.json()["signed"] is False
    signed = tmp_path / "signed.psbt"
    refused = cli("psbt", "sign", str(unsigned), "--account", "btc:0", "--network", NET, "--out", str(signed))
    assert refused.code == 4 and not signed.exists()  # not confirmed: not signed
    s = cli("--json", "--yes", "psbt", "sign", str(unsigned), "--account", "btc:0", "--network", NET,
            "--out", str(signed))
    assert s.code == 0, s.err
    assert s.json()["finalized"] is True
    outs = {o["address"]: o for o in s.json()["review"]["outputs"]}
    assert outs[to]["amount"] == "0.3" and outs[to]["change"] is False
    assert sum(o["change"] for o in outs.values()) == 1
    pub = cli(*w, "--json", "broadcast", str(signed), "--network", NET, password=False)
    assert pub.code == 0, pub.err
    btc.mine(funded, 1)
    assert balance(cli, "btc:1")["total"] == "0.3"


def test_refusals(cli, funded) -> None:
    mainnet = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    r = cli("--yes", "send", "--network", NET, "--from", "btc:0", "--to", mainnet, "--amount", "0.1")
    assert r.code == 2 and "mainnet" in r.err
    to = address_of(cli, "btc:1")
    dust = cli("--yes", "send", "--network", NET, "--from", "btc:0", "--to", to, "--amount", "0.00000100")
    assert dust.code == 2 and "dust" in dust.err
    high = cli("--yes", "send", "--network", NET, "--from", "btc:0", "--to", to, "--amount", "0.1",
               "--fee-rate", "20000")
    assert high.code == 4 and "fee" in high.err
    broken = to[:-1] + ("q" if to[-1] != "q" else "p")
    bad = cli("--yes", "send", "--network", NET, "--from", "btc:0", "--to", broken, "--amount", "0.1")
    assert bad.code == 2
    assert esplora(funded, "/mempool/txids") == []
