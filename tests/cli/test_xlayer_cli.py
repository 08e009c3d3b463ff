"""OKX's X Layer is a built-in EVM network: a send through the CLI to anvil started with X Layer's chain id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devnet import anvil


@pytest.fixture(scope="module")
def xlayer_node() -> Iterator[anvil.Sandbox]:
    box = anvil.Sandbox(chain_id=196).start()
    try:
        yield box
    finally:
        box.stop()


def test_xlayer_okb_send_on_chain_196(cli, xlayer_node, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WALLET_RPC_XLAYER", xlayer_node.url)
    r = cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert r.code == 0, r.err
    d = cli("--json", "accounts", "derive", "--chain", "evm")
    sender = next(a["address"] for a in r.json()["accounts"] if a["ref"] == "evm:0")
    to = d.json()[0]["address"]
    anvil.fund(xlayer_node.url, sender, 2 * 10**18)
    s = cli("--json", "--yes", "send", "--network", "xlayer", "--from", "evm:0", "--to", to, "--amount", "0.25",
            "--wait")
    assert s.code == 0, s.err
    assert s.json()["state"] == "confirmed" and s.json()["symbol"] == "OKB"
    tx = anvil.rpc(xlayer_node.url, "eth_getTransactionByHash", [s.json()["txid"]])
    assert int(tx["chainId"], 16) == 196 and tx["to"].lower() == to.lower()
    bal = cli("--json", "balance", "evm:1", "--network", "xlayer", password=False).json()
    assert (bal["balance"], bal["symbol"]) == ("0.25", "OKB")
    # The same vault pointed at a node of another chain id refuses before signing.
    monkeypatch.setenv("WALLET_RPC_XLAYER_TESTNET", xlayer_node.url)
    wrong = cli("--yes", "send", "--network", "xlayer-testnet", "--from", "evm:0", "--to", to, "--amount", "0.1")
    assert wrong.code == 4


def test_oktc_is_listed_as_being_retired(cli) -> None:
    rows = {n["name"]: n for n in cli("--json", "networks", "list", password=False).json()}
    assert rows["xlayer"]["chain_id"] == 196 and rows["xlayer"]["symbol"] == "OKB"
    assert "USDT" in rows["xlayer"]["tokens"]
    assert rows["xlayer-testnet"]["chain_id"] == 195
    assert rows["oktc"]["chain_id"] == 66 and "retired" in rows["oktc"]["description"]
    assert {"tron", "tron-nile", "local-tron"} <= set(rows)
