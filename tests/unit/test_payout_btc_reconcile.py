"""Bitcoin payouts: what counts as proof that a journalled transaction can never land (no node needed)."""

from __future__ import annotations

from typing import Any

from wallet_cli.payouts.btc import BtcPayout
from wallet_cli.payouts.runs import TxRecord


class _Node:
    def __init__(self, outspend: dict[str, Any]) -> None:
        self.outspend = outspend
        self.broadcasts: list[str] = []

    def tx_status(self, _txid: str) -> None:
        return None                                     # the node does not know our transaction

    def get_json(self, _path: str) -> dict[str, Any]:
        return self.outspend

    def broadcast(self, raw: str, txid: str) -> str:
        self.broadcasts.append(raw)
        return txid


def _payout(node: _Node) -> BtcPayout:
    p = BtcPayout.__new__(BtcPayout)
    p.node = node
    return p


def _tx() -> TxRecord:
    return TxRecord("aa" * 32, 0, "00", ["id:1"], {"inputs": [["bb" * 32, 0]]}, "unknown")


def test_an_unconfirmed_conflicting_spend_is_not_proof() -> None:
    """A mempool transaction spending the same coin can itself be replaced or evicted, after which ours (RBF,
    its bytes known to the node and anyone it relayed them to) can still land: its rows must not be re-paid."""
    node = _Node({"spent": True, "txid": "cc" * 32, "vin": 0, "status": {"confirmed": False}})
    out = _payout(node).reconcile([_tx()])
    assert [o[1] for o in out] != ["dropped"]
    assert node.broadcasts == ["00"]                    # re-sent as it is, settled by a later rerun


def test_a_confirmed_conflicting_spend_is_proof() -> None:
    node = _Node({"spent": True, "txid": "cc" * 32, "vin": 0, "status": {"confirmed": True, "block_height": 7}})
    out = _payout(node).reconcile([_tx()])
    assert out == [("aa" * 32, "dropped", f"its input is spent by {'cc' * 32}")]
    assert node.broadcasts == []
