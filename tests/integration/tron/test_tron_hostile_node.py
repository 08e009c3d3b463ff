"""The TRON adapter against a hostile node: local-tron with one endpoint's reply rewritten.

Whatever shape a reply takes (null, a string or a float where an integer belongs, a number past int64,
a list or an object in the wrong place), the adapter answers with one of its own errors (Unavailable,
exit 5) and never an unexpected exception (exit 1, "this is a bug") or a transaction built from it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import devnet.tron_sandbox as sandbox
from chains.base import Amount, Transfer
from chains.errors import Refused, Unavailable
from tests.integration.tron.conftest import stranger
from wallet_cli import errors

USDT = sandbox.USDT
WRONG = [None, "x", 1.5, -1, 2**70, [1], {"a": {"b": []}}, True]


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    d = doc
    for k in parents:
        d = d.setdefault(k, {})
    d[last] = value
    return doc


def _lie(monkeypatch: pytest.MonkeyPatch, endpoint: str, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    real = sandbox.wallet_api

    def api(c: Any, name: str, p: dict[str, Any]) -> dict[str, Any]:
        reply = real(c, name, p)
        return rewrite(reply) if name == endpoint and reply else reply
    monkeypatch.setattr(sandbox, "wallet_api", api)


CASES = [("getaccount", "balance", "trx"), ("getaccount", "balance", "usdt"),
         ("triggerconstantcontract", "result", "usdt"), ("triggerconstantcontract", "constant_result", "usdt"),
         ("triggerconstantcontract", "energy_used", "usdt"),
         ("getnowblock", "block_header.raw_data.timestamp", "trx"),
         ("getchainparameters", "chainParameter", "trx")]


@pytest.mark.parametrize(("endpoint", "path", "what"), CASES)
@pytest.mark.parametrize("wrong", WRONG, ids=repr)
def test_a_malformed_reply_is_unavailable_never_a_crash(adapter, funded, monkeypatch, endpoint, path, what,
                                                        wrong) -> None:
    acct, _ = funded
    if endpoint == "getchainparameters":                         # a malformed value inside the list
        _lie(monkeypatch, endpoint, lambda r: {"chainParameter": [
            {**p, "value": wrong} if p["key"] == "getEnergyFee" else p for p in r["chainParameter"]]})
    else:
        _lie(monkeypatch, endpoint, lambda r: _set(r, path, wrong))
    token = USDT if what == "usdt" else None
    transfer = Transfer(adapter.network, acct, stranger(), Amount(1_000_000, 6, what.upper()), token)
    try:
        adapter.build_transfer(transfer)
        if endpoint == "getaccount":
            adapter.balance(acct)
    except Exception as e:  # noqa: BLE001 - the point: which exceptions
        assert errors.exit_code_for(e) not in (None, errors.BUG), f"{type(e).__name__}: {e}"
        return
    # Accepted: only an integer, or null where absence has a meaning (no TRX, no energy, a zero price).
    assert isinstance(wrong, int) and not isinstance(wrong, bool) or wrong is None \
        and path in ("balance", "energy_used", "chainParameter")


@pytest.mark.parametrize("path", ["blockNumber", "fee", "receipt", "receipt.energy_usage_total",
                                  "receipt.net_usage", "receipt.result"])
@pytest.mark.parametrize("wrong", WRONG, ids=repr)
def test_a_malformed_transaction_info_is_unavailable_never_a_crash(adapter, funded, monkeypatch, path,
                                                                   wrong) -> None:
    acct, signer = funded
    signed = adapter.sign(adapter.build_transfer(Transfer(adapter.network, acct, stranger(),
                                                          Amount(1_000_000, 6, "TRX"))), signer)
    adapter.broadcast(signed)
    _lie(monkeypatch, "gettransactioninfobyid", lambda r: _set(r, path, wrong))
    try:
        st = adapter.status(signed.txid)
    except Exception as e:  # noqa: BLE001 - the point: which exceptions
        assert errors.exit_code_for(e) not in (None, errors.BUG), f"{type(e).__name__}: {e}"
        return
    assert st.state in ("confirmed", "failed")


def test_energy_used_must_be_a_count(adapter, funded, monkeypatch) -> None:
    acct, _ = funded
    _lie(monkeypatch, "triggerconstantcontract", lambda r: {**r, "energy_used": -5_000_000}
         if "energy_used" in r else r)
    with pytest.raises(Unavailable, match="energy_used"):
        adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1_000_000, 6, "USDT"), USDT))


def test_a_negative_chain_price_is_refused(adapter, funded, monkeypatch) -> None:
    acct, _ = funded
    _lie(monkeypatch, "getchainparameters", lambda r: {"chainParameter": [
        {**p, "value": -10**9} if p["key"] == "getTransactionFee" else p for p in r["chainParameter"]]})
    with pytest.raises(Unavailable, match="getTransactionFee"):
        adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1_000_000, 6, "TRX")))


ESC = "\x1b]0;owned\x07\x1b[2J\u202e"


def test_node_text_in_errors_and_status_is_escaped_and_short(adapter, net, funded, monkeypatch) -> None:
    """Terminal escapes and bidi controls from the node never reach the screen raw, nor unbounded."""
    import dataclasses

    from chains.tron import Adapter

    acct, signer = funded
    signed = adapter.sign(adapter.build_transfer(Transfer(adapter.network, acct, stranger(),
                                                          Amount(1_000_000, 6, "TRX"))), signer)
    _lie(monkeypatch, "broadcasthex", lambda r: {"result": False, "code": ESC * 50, "message": "00"})
    with pytest.raises(Unavailable) as e:
        adapter.broadcast(signed)
    assert "\x1b" not in str(e.value) and "\u202e" not in str(e.value) and len(str(e.value)) < 500
    monkeypatch.undo()
    adapter.broadcast(signed)
    _lie(monkeypatch, "gettransactioninfobyid", lambda r: {**r, "receipt": {"result": ESC * 50}})
    st = adapter.status(signed.txid)
    assert st.state == "failed" and "\x1b" not in (st.detail or "") and len(st.detail or "") < 500
    _lie(monkeypatch, "getblockbynum", lambda r: {**r, "blockID": ESC * 1000})
    for genesis in ("", "11" * 32):                     # none configured (a suggestion) and a mismatch
        other = Adapter(dataclasses.replace(net, genesis=genesis))
        with pytest.raises(Refused) as e:
            other.check_genesis()
        assert "\x1b" not in str(e.value) and "\u202e" not in str(e.value) and len(str(e.value)) < 500


def test_the_info_of_another_transaction_does_not_confirm_ours(adapter, funded, monkeypatch) -> None:
    acct, signer = funded
    landed = adapter.sign(adapter.build_transfer(Transfer(adapter.network, acct, stranger(),
                                                          Amount(1_000_000, 6, "TRX"))), signer)
    adapter.broadcast(landed)
    ours = adapter.sign(adapter.build_transfer(Transfer(adapter.network, acct, stranger(),
                                                        Amount(2_000_000, 6, "TRX"))), signer)
    real = sandbox.wallet_api
    monkeypatch.setattr(sandbox, "wallet_api", lambda c, name, p: real(
        c, name, {**p, "value": landed.txid} if name == "gettransactioninfobyid" else p))
    assert adapter.status(ours.txid).state == "unknown"           # never sent: not "confirmed"


@pytest.mark.parametrize("skew_s", [6 * 3600, -6 * 3600])
def test_a_head_block_far_from_our_clock_is_refused_before_signing(adapter, funded, monkeypatch, skew_s) -> None:
    """The expiration is head time + 300 s: a node claiming a head hours ahead would make the transaction
    live for hours (up to java-tron's day), one hours behind would make it dead on arrival."""
    acct, _ = funded
    _lie(monkeypatch, "getnowblock", lambda r: _set(r, "block_header.raw_data.timestamp",
                                                    r["block_header"]["raw_data"]["timestamp"] + skew_s * 1000))
    with pytest.raises(Unavailable, match="clock"):
        adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1_000_000, 6, "TRX")))
