"""An error reply to eth_sendRawTransaction is not proof that nothing was sent (issue 8, item 1).

A proxy forwards the transaction to anvil and answers with a JSON-RPC error the wallet does not
recognise. The signed transaction must stay journalled as unknown (or be found on the node), and a
rerun with the same --idempotency-key must never sign a second one: exactly one transaction lands.
Only proof that it can never land (its nonce used by another transaction) allows a new signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from devnet import anvil
from tests.reliability.fault_proxy import FaultProxy, Request

Account.enable_unaudited_hdwallet_features()


@pytest.fixture
def proxy(chain: anvil.Sandbox, evm, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    with FaultProxy(chain.url) as p:
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", p.url)
        yield p


def nonce(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getTransactionCount", [address, "latest"]), 16)


def send(cli, evm: dict[str, str], key: str):
    return cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
               "--amount", "1.5", "--idempotency-key", key)


def journal_state(cli, txid: str) -> str:
    hist = cli("--json", "history", "--network", "local-evm", password=False).json()
    return next(h["state"] for h in hist if h["txid"] == txid)


@pytest.mark.parametrize(("code", "message"), [(-32000, "request timed out"), (-32603, "upstream request timeout")])
def test_error_reply_after_forwarding_then_rerun_sends_once(cli, evm, proxy, code: int, message: str) -> None:
    proxy.set("error", match="eth_sendRawTransaction", times=1, code=code, message=message)
    first = send(cli, evm, "pay-1")
    assert proxy.faulted == 1
    # The node has the transaction: the wallet asks it instead of believing the error.
    assert first.code == 0, first.err
    assert first.json()["state"] == "pending"
    again = send(cli, evm, "pay-1")
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True and again.json()["txid"] == first.json()["txid"]
    assert nonce(evm["url"], evm["from"]) == 1


def test_error_reply_and_a_node_that_does_not_show_it_stays_unknown(cli, evm, proxy) -> None:
    # The error, and then the node's answers about the transaction fail too: the outcome is unknown.
    def broadcast_or_lookup(r: Request) -> bool:
        return bool(r.methods) and r.methods[0] in ("eth_sendRawTransaction", "eth_getTransactionByHash")

    proxy.set("error", match=broadcast_or_lookup, times=2, code=-32000, message="request timed out")
    first = send(cli, evm, "pay-2")
    assert proxy.faulted == 2
    assert first.code == 5, first.err
    assert "rerun" in first.err and "sent twice" in first.err
    txid = cli("--json", "history", "--network", "local-evm", password=False).json()[0]["txid"]
    assert journal_state(cli, txid) == "unknown"
    again = send(cli, evm, "pay-2")
    assert again.code == 0, again.err
    assert again.json()["txid"] == txid and again.json()["replayed"] is True
    assert nonce(evm["url"], evm["from"]) == 1


def test_nonce_used_by_another_transaction_is_proof_and_allows_a_new_one(cli, evm, proxy, chain) -> None:
    proxy.set("502", match="eth_sendRawTransaction", times=1, forward=False)   # never reaches anvil
    first = send(cli, evm, "pay-3")
    assert first.code == 5, first.err
    old = cli("--json", "history", "--network", "local-evm", password=False).json()[0]["txid"]
    # Another transaction from the same account takes nonce 0 (the user's other wallet, say).
    acct = Account.from_mnemonic(Path(evm["mnemonic"]).read_text().strip())
    other = acct.sign_transaction({"to": acct.address, "value": 1, "gas": 21000, "gasPrice": 10**10,
                                   "nonce": 0, "chainId": int(anvil.rpc(chain.url, "eth_chainId", []), 16)})
    anvil.wait_receipt(chain.url, anvil.rpc(chain.url, "eth_sendRawTransaction",
                                            ["0x" + other.raw_transaction.hex().removeprefix("0x")]), timeout=10)
    again = send(cli, evm, "pay-3")
    assert again.code == 0, again.err
    assert again.json()["txid"] != old
    assert journal_state(cli, old) == "dropped"
    assert nonce(evm["url"], evm["from"]) == 2      # the other one, and exactly one payment


def test_a_landed_tx_journalled_as_rejected_by_older_code_is_not_paid_again(cli, evm, home: Path) -> None:
    import sqlite3

    first = send(cli, evm, "pay-4")
    assert first.code == 0, first.err
    db = sqlite3.connect(home / "wallet.db")
    with db:  # what the old rule wrote after an unrecognised error reply to a forwarded transaction
        db.execute("UPDATE txs SET state = 'rejected' WHERE txid = ?", (first.json()["txid"],))
    db.close()
    again = send(cli, evm, "pay-4")
    assert again.code == 0, again.err
    assert again.json()["txid"] == first.json()["txid"] and again.json()["replayed"] is True
    assert nonce(evm["url"], evm["from"]) == 1
