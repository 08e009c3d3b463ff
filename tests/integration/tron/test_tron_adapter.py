"""The TRON adapter against local-tron: what it refuses to sign, and how it reads what the node says."""

from __future__ import annotations

import dataclasses

import pytest

from chains.base import Amount, Transfer, UnsignedTx
from chains.errors import BadInput, Refused, Unavailable
from chains.tron import Adapter
from chains.tron import tx as ttx
from devnet import tron_sandbox
from tests.integration.tron.conftest import stranger
from tests.unit.tron.decoder import decode

USDT = tron_sandbox.USDT


def _usdt(adapter: Adapter, sender, value: int, to: str | None = None) -> UnsignedTx:
    return adapter.build_transfer(Transfer(adapter.network, sender, to or stranger(), Amount(value, 6, "USDT"),
                                           USDT))


def _reencode(unsigned: UnsignedTx, **change: int | bytes) -> UnsignedTx:
    raw = dataclasses.replace(ttx.decode_raw(bytes.fromhex(unsigned.payload["raw"])), **change)
    payload = {**unsigned.payload, "raw": raw.encode().hex(), "txid": ttx.txid(raw.encode())}
    return dataclasses.replace(unsigned, payload=payload)


def test_sign_refuses_bytes_that_do_not_match_the_review(adapter, funded) -> None:
    acct, signer = funded
    unsigned = adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1_000_000, 6, "TRX")))
    with pytest.raises(BadInput, match="do not match its summary"):
        adapter.sign(_reencode(unsigned, amount=9_000_000), signer)
    with pytest.raises(BadInput, match="do not match its summary"):    # a memo the review did not show
        adapter.sign(_reencode(unsigned, memo=b"pay attacker"), signer)
    wrong_id = dataclasses.replace(unsigned, payload={**unsigned.payload, "txid": "00" * 32})
    with pytest.raises(BadInput, match="txID does not match"):
        adapter.sign(wrong_id, signer)
    token = _usdt(adapter, acct, 1_000_000)
    with pytest.raises(BadInput, match="do not match"):          # a fee_limit above the fee shown
        adapter.sign(_reencode(token, fee_limit=token.fee.value + 1), signer)
    other = dataclasses.replace(signer, private_key=bytes(31) + b"\x01", address="")
    with pytest.raises(BadInput, match="does not belong"):
        adapter.sign(unsigned, other)
    d = decode(adapter.sign(unsigned, signer).raw)                 # the honest one, judged independently
    assert (d.signer, d.to, d.amount) == (acct.address, unsigned.recipient, 1_000_000)


def test_out_of_energy_burns_the_fee_limit_and_reads_as_failed(adapter, funded, node) -> None:
    acct, signer = funded
    low = _reencode(_usdt(adapter, acct, 1_000_000), fee_limit=1_000_000)   # 1 TRX for ~13 TRX of energy
    signed = adapter.sign(low, signer)
    before = node.chain.account(acct.address).balance
    assert adapter.broadcast(signed) == signed.txid
    st = adapter.status(signed.txid)
    assert st.state == "failed" and "OUT_OF_ENERGY" in (st.detail or "")
    assert node.chain.usdt[acct.address] == 50_000_000                    # nothing moved
    # Bandwidth came from the free 600 bytes; the whole fee_limit was burnt for energy.
    assert before - node.chain.account(acct.address).balance == st.fee.value == 1_000_000


def test_configured_decimals_win_and_disagreement_is_refused(adapter, net, funded) -> None:
    acct, _ = funded
    assert adapter.balance(acct, "USDT") == Amount(50_000_000, 6, "USDT")
    lying = Adapter(dataclasses.replace(net, tokens={"USDT": {"address": USDT, "decimals": 18}}))
    with pytest.raises(Refused, match="reports 6 decimals but local-tron lists 18"):
        lying.token_info("USDT")


def test_a_node_echoing_another_txid_or_refusing_plainly(adapter, funded, node, monkeypatch) -> None:
    acct, signer = funded
    signed = adapter.sign(adapter.build_transfer(Transfer(adapter.network, acct, stranger(),
                                                          Amount(1, 6, "TRX"))), signer)
    monkeypatch.setattr(adapter.rpc, "broadcast_hex", lambda _hex: {"result": True, "txid": "ab" * 32})
    with pytest.raises(Unavailable, match="different txID"):
        adapter.broadcast(signed)
    monkeypatch.undo()
    forged = dataclasses.replace(signed, raw=ttx.signed_bytes(bytes.fromhex(signed.payload["raw"]),
                                                              b"\x01" * 65).hex())
    with pytest.raises(Unavailable, match=r"refused the transaction \(SIGERROR\).*not signed again"):
        adapter.broadcast(forged)                                 # the node's word, not proof: unknown
    assert adapter.status(signed.txid).state == "unknown"
    assert adapter.broadcast(signed) == adapter.broadcast(signed) == signed.txid   # a duplicate is success


def test_resources_and_messages(adapter, funded, node) -> None:
    acct, signer = funded
    tron_sandbox.stake(node.url, acct.address, bandwidth=1500, energy=7)
    assert adapter.resources(acct) == {"free_bandwidth": 600, "staked_bandwidth": 1500, "energy": 7}
    sig = adapter.sign_message(b"hello", signer)
    assert adapter.verify_message(b"hello", sig, acct.address)
    assert not adapter.verify_message(b"hellO", sig, acct.address)
    assert not adapter.verify_message(b"hello", "0x1234", acct.address)


def test_a_memo_is_shown_escaped_and_signed_as_given(adapter, funded) -> None:
    acct, signer = funded
    memo = "ref 7\n\x1b[31mred"
    unsigned = adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1, 6, "TRX"), memo=memo))
    assert unsigned.summary["Memo"] == "ref 7\\n\\x1b[31mred"
    assert decode(adapter.sign(unsigned, signer).raw).memo == memo.encode()
    with pytest.raises(BadInput, match="sending account itself"):
        adapter.build_transfer(Transfer(adapter.network, acct, acct.address, Amount(1, 6, "TRX")))
    with pytest.raises(BadInput, match="at most 200 bytes"):
        adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1, 6, "TRX"), memo="x" * 201))


def test_usdt_without_trx_for_the_energy_is_refused_before_signing(adapter, node) -> None:
    import os

    from chains.base import Account
    from chains.errors import InsufficientFunds
    from chains.tron.sign import address_of_key

    address = address_of_key(os.urandom(32))
    tron_sandbox.fund(node.url, address, 2_000_000)          # 2 TRX: not the ~13 TRX the energy burns
    tron_sandbox.mint(node.url, address, 10_000_000)
    with pytest.raises(InsufficientFunds, match=r"TRX burnt for energy and bandwidth\) but the account has 2 TRX"):
        _usdt(adapter, Account("tron", None, None, address, ""), 1_000_000)


def test_a_memo_that_is_not_text_is_bad_input_not_a_crash(adapter, funded) -> None:
    """Non-UTF-8 bytes in argv arrive as lone surrogates (surrogateescape): refuse them plainly."""
    acct, _ = funded
    with pytest.raises(BadInput, match="memo"):
        adapter.build_transfer(Transfer(adapter.network, acct, stranger(), Amount(1, 6, "TRX"), memo="bad \udcff"))


def test_a_token_sent_to_its_own_contract_is_warned_about(adapter, funded) -> None:
    acct, _ = funded
    unsigned = _usdt(adapter, acct, 1_000_000, to=USDT)
    assert any("USDT contract itself" in w for w in unsigned.warnings)
    assert not any("not activated" in w for w in unsigned.warnings)


def test_an_offline_review_does_not_claim_a_maximum_it_cannot_know(adapter, funded, node) -> None:
    acct, _ = funded
    head = node.chain.blocks[-1]
    unsigned = adapter.build_offline(Transfer(adapter.network, acct, stranger(), Amount(1, 6, "TRX")),
                                     ref_block=f"{head['number']}:{head['id']}", expiration_s=60)
    assert unsigned.summary["Fee (max)"] != "0 TRX" and "not known offline" in unsigned.summary["Fee (max)"]
