"""Native and ERC-20 transfers through the adapter against a real anvil, with the refusal paths."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from chains.base import Amount, FeeOptions, SignedTx, Transfer, UnsignedTx
from chains.errors import BadInput, ChainIdMismatch, FeeTooHigh, InsufficientFunds, SimulationFailed
from chains.evm import Adapter, build_offline
from devnet import anvil

from .helpers import ETH, Wallet, eth_balance, local_network, mined, new_wallet, nonce, token_balance


def send(adapter: Adapter, unsigned_transfer: Transfer, signer_wallet: Wallet) -> str:
    unsigned = adapter.build_transfer(unsigned_transfer)
    signed = adapter.sign(unsigned, signer_wallet.signer)
    txid = adapter.broadcast(signed)
    mined(adapter.network.rpc_url, txid)
    return txid


def test_native_send_moves_exact_amount_and_pays_receipt_fee(adapter, network, url, alice, bob):
    amount = Amount.parse("1.25", 18, "ETH")
    transfer = Transfer(network, alice.account, adapter.parse_address(bob.address.lower(), network), amount)
    unsigned = adapter.build_transfer(transfer)
    assert unsigned.summary["To"] == bob.address  # checksummed again from the lowercase input
    assert unsigned.summary["Network"] == f"{network.name} (chain id 31337)"
    assert unsigned.summary["Amount"] == "1.25 ETH"
    assert unsigned.payload["tx"]["gas"] == 21000  # a plain transfer to an EOA costs exactly 21000
    assert "Total" in unsigned.summary and "Token" not in unsigned.summary
    before = eth_balance(url, alice.address)

    signed = adapter.sign(unsigned, alice.signer)
    assert adapter.sign(unsigned, alice.signer).raw == signed.raw  # RFC 6979: deterministic
    txid = adapter.broadcast(signed)
    assert txid == signed.txid

    rc = mined(url, txid)
    assert rc is not None and int(rc["status"], 16) == 1
    paid = int(rc["gasUsed"], 16) * int(rc["effectiveGasPrice"], 16)
    assert eth_balance(url, bob.address) == 125 * ETH // 100
    assert eth_balance(url, alice.address) == before - 125 * ETH // 100 - paid
    st = adapter.status(txid)
    assert st.state == "confirmed" and st.block == int(rc["blockNumber"], 16)
    assert st.fee is not None and st.fee.value == paid
    assert adapter.balance(bob.account) == Amount(125 * ETH // 100, 18, "ETH")


def test_known_dev_key_matches_anvil_account(adapter, network, url):
    # anvil's account #1 from the "test test ... junk" mnemonic; its address comes from anvil itself.
    key = bytes.fromhex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    dev = new_wallet(key)
    assert dev.address.lower() == anvil.rpc(url, "eth_accounts")[1].lower()
    bob = new_wallet()
    txid = send(adapter, Transfer(network, dev.account, bob.address, Amount(12345, 18, "ETH")), dev)
    assert int(mined(url, txid)["status"], 16) == 1
    assert eth_balance(url, bob.address) == 12345


def test_erc20_send_and_token_reads(adapter, network, url, alice, bob, token):
    assert adapter.token_info(token.lower()) == (token, "TT", 6)
    net = local_network(url, tokens={"TT": {"address": token, "decimals": 6}})
    ad = Adapter(net)
    assert ad.token_info("tt") == (token, "TT", 6)
    assert ad.balance(alice.account, "TT") == Amount(1_000_000 * 10**6, 6, "TT")

    eth_before = eth_balance(url, alice.address)
    transfer = Transfer(net, alice.account, bob.address, Amount.parse("2.5", 6, "TT"), token="TT")
    unsigned = ad.build_transfer(transfer)
    assert unsigned.summary["Token"] == f"TT ({token})"
    assert unsigned.payload["tx"]["to"] == token and unsigned.payload["tx"]["value"] == "0"
    txid = ad.broadcast(ad.sign(unsigned, alice.signer))
    rc = mined(url, txid)
    assert int(rc["status"], 16) == 1
    assert token_balance(url, token, bob.address) == 2_500_000
    assert token_balance(url, token, alice.address) == 1_000_000 * 10**6 - 2_500_000
    assert eth_balance(url, bob.address) == 0
    paid = int(rc["gasUsed"], 16) * int(rc["effectiveGasPrice"], 16)
    assert eth_balance(url, alice.address) == eth_before - paid
    assert ad.balance(bob.account, token) == Amount(2_500_000, 6, "TT")


def test_token_sender_without_gas_money(adapter, network, url, alice, bob, token):
    tokens_only = new_wallet()
    send(adapter, Transfer(network, alice.account, tokens_only.address, Amount(10, 6, "TT"), token=token), alice)
    with pytest.raises(InsufficientFunds, match=r"\(max fee\) but the account has 0 ETH"):
        adapter.build_transfer(Transfer(network, tokens_only.account, bob.address, Amount(10, 6, "TT"),
                                        token=token))


def test_native_send_to_a_contract_without_receive_reverts(adapter, network, url, alice, token):
    # TestToken has no receive() or fallback, so the EVM reverts the call with empty revert data.
    with pytest.raises(SimulationFailed, match="would revert: no reason given"):
        adapter.build_transfer(Transfer(network, alice.account, token, Amount(1, 18, "ETH")))
    assert nonce(url, alice.address) == 0


def test_token_amount_with_wrong_decimals_is_rejected(adapter, network, alice, bob, token):
    transfer = Transfer(network, alice.account, bob.address, Amount(1, 18, "TT"), token=token)
    with pytest.raises(BadInput, match="has 6"):
        adapter.build_transfer(transfer)


def test_unknown_token_and_non_contract(adapter, alice):
    with pytest.raises(BadInput, match="unknown token"):
        adapter.token_info("NOPE")
    with pytest.raises(BadInput, match="no contract"):
        adapter.token_info(alice.address)


def test_insufficient_native_funds_broadcasts_nothing(adapter, network, url, bob):
    poor = new_wallet()
    anvil.fund(url, poor.address, ETH // 1000)
    with pytest.raises(InsufficientFunds, match=r"has 0\.001 ETH"):
        adapter.build_transfer(Transfer(network, poor.account, bob.address, Amount.parse("1", 18, "ETH")))
    # The amount fits but amount + max fee does not.
    with pytest.raises(InsufficientFunds, match=r"\(amount \+ max fee\) but the account has 0\.001 ETH"):
        adapter.build_transfer(Transfer(network, poor.account, bob.address, Amount(ETH // 1000, 18, "ETH")))
    assert nonce(url, poor.address) == 0
    assert eth_balance(url, bob.address) == 0


def test_insufficient_token_balance_in_token_units(adapter, network, url, alice, bob, token):
    transfer = Transfer(network, alice.account, bob.address, Amount.parse("1000000.000001", 6, "TT"),
                        token=token)
    with pytest.raises(InsufficientFunds, match=r"needs 1000000\.000001 TT but the account has 1000000 TT"):
        adapter.build_transfer(transfer)
    assert nonce(url, alice.address) == 0


def test_reverting_transfer_shows_reason_and_signs_nothing(adapter, network, url, alice, bob, token):
    anvil.set_blocked(url, token, bob.address)
    transfer = Transfer(network, alice.account, bob.address, Amount(1, 6, "TT"), token=token)
    with pytest.raises(SimulationFailed, match="TestToken: address blocked"):
        adapter.build_transfer(transfer)
    assert nonce(url, alice.address) == 0
    assert token_balance(url, token, bob.address) == 0


def test_fee_cap(adapter, url, alice, bob):
    net = local_network(url, fee_cap="0.000001")  # 1e12 wei < 21000 gas * ~2 gwei
    transfer = Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH"))
    with pytest.raises(FeeTooHigh, match=r"above the fee cap of 0\.000001 ETH"):
        Adapter(net).build_transfer(transfer)
    allowed = Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH"),
                       fees=FeeOptions(allow_high_fee=True))
    unsigned = Adapter(net).build_transfer(allowed)
    assert unsigned.fee.value > 10**12


def test_fee_cap_applies_offline(url, alice, bob):
    net = local_network(url, fee_cap="0.0001")
    transfer = Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH"))
    with pytest.raises(FeeTooHigh):
        build_offline(transfer, 0, 10 * 10**9, 10**9, 21000)  # 0.00021 ETH > 0.0001
    build_offline(Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH"),
                           fees=FeeOptions(allow_high_fee=True)), 0, 10 * 10**9, 10**9, 21000)


def test_fee_overrides_and_nonce_override(adapter, network, alice, bob):
    opts = FeeOptions(max_fee=5 * 10**9, priority_fee=2 * 10**9, nonce=7, gas_limit=30000)
    unsigned = adapter.build_transfer(Transfer(network, alice.account, bob.address, Amount(1, 18, "ETH"),
                                               fees=opts))
    tx = unsigned.payload["tx"]
    assert (tx["maxFeePerGas"], tx["maxPriorityFeePerGas"], tx["nonce"], tx["gas"]) == \
        ("5000000000", "2000000000", 7, 30000)
    assert unsigned.fee == Amount(30000 * 5 * 10**9, 18, "ETH")


def test_legacy_fees_network(url, alice, bob):
    net = local_network(url, legacy_fees=True)
    ad = Adapter(net)
    unsigned = ad.build_transfer(Transfer(net, alice.account, bob.address, Amount(777, 18, "ETH")))
    tx = unsigned.payload["tx"]
    assert tx["type"] == 0 and "gasPrice" in tx and "maxFeePerGas" not in tx
    assert int(tx["gasPrice"]) == int(anvil.rpc(url, "eth_gasPrice"), 16)
    txid = ad.broadcast(ad.sign(unsigned, alice.signer))
    assert int(mined(url, txid)["type"], 16) == 0
    assert eth_balance(url, bob.address) == 777


def test_chain_id_mismatch_refuses_before_signing(alice, bob):
    with anvil.Sandbox(chain_id=999) as other:
        anvil.fund(other.url, alice.address, ETH)
        net = local_network(other.url)  # configured with 31337
        with pytest.raises(ChainIdMismatch, match=r"reports chain id 999 but network local-evm is configured "
                                                  r"with 31337; refusing to sign"):
            Adapter(net).build_transfer(Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH")))
        # A transaction signed for 31337 is not pushed to the chain-999 node either.
        unsigned = build_offline(Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH")), 0, 10**10,
                                 10**9, 21000)
        with pytest.raises(ChainIdMismatch):
            Adapter(net).broadcast(Adapter(net).sign(unsigned, alice.signer))
        assert nonce(other.url, alice.address) == 0


def test_offline_build_sign_file_then_broadcast(adapter, network, url, alice, bob, tmp_path):
    transfer = Transfer(network, alice.account, bob.address, Amount.parse("0.5", 18, "ETH"))
    unsigned = build_offline(transfer, nonce=0, max_fee=10 * 10**9, priority_fee=10**9, gas_limit=21000,
                             chain_id=31337)
    assert unsigned.fee == Amount(21000 * 10 * 10**9, 18, "ETH")
    unsigned = UnsignedTx.from_json(json.loads(json.dumps(unsigned.to_json())))  # the unsigned file form
    signed = Adapter(network).sign(unsigned, alice.signer)   # sign needs no RPC
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(signed.to_json()))

    loaded = SignedTx.from_json(json.loads(path.read_text()))
    txid = adapter.broadcast(loaded)
    assert txid == signed.txid
    assert int(mined(url, txid)["status"], 16) == 1
    assert Decimal(eth_balance(url, bob.address)) / ETH == Decimal("0.5")


def test_offline_token_build(adapter, url, alice, bob, token):
    net = local_network(url, tokens={"TT": {"address": token, "decimals": 6}})
    unsigned = build_offline(Transfer(net, alice.account, bob.address, Amount(42, 6, "TT"), token="TT"),
                             0, 10 * 10**9, 10**9, 100_000)
    txid = Adapter(net).broadcast(Adapter(net).sign(unsigned, alice.signer))
    assert int(mined(url, txid)["status"], 16) == 1
    assert token_balance(url, token, bob.address) == 42


def test_offline_gas_defaults_and_intrinsic_floor(url, alice, bob, token):
    net = local_network(url)
    native = build_offline(Transfer(net, alice.account, bob.address, Amount(1, 18, "ETH")), 0, 10**10, 10**9)
    assert native.payload["tx"]["gas"] == 21000
    tok = Transfer(net, alice.account, bob.address, Amount(1, 6, "TT"), token=token)
    assert build_offline(tok, 0, 10**10, 10**9).payload["tx"]["gas"] == 100_000
    # transfer(address,uint256) calldata: 4 + 64 bytes; intrinsic cost is 21000 + calldata gas > 21000.
    with pytest.raises(BadInput, match="intrinsic cost"):
        build_offline(tok, 0, 10**10, 10**9, 21000)


def test_broadcast_twice_is_one_transaction(adapter, network, url, alice, bob):
    unsigned = adapter.build_transfer(Transfer(network, alice.account, bob.address, Amount(1000, 18, "ETH")))
    signed = adapter.sign(unsigned, alice.signer)
    assert adapter.broadcast(signed) == signed.txid
    assert adapter.broadcast(signed) == signed.txid      # mined already: "nonce too low" -> known
    assert adapter.broadcast(SignedTx.from_json(signed.to_json())) == signed.txid
    mined(url, signed.txid)
    assert adapter.broadcast(signed) == signed.txid      # surely mined now
    assert nonce(url, alice.address, "latest") == 1
    assert eth_balance(url, bob.address) == 1000


def test_tampered_txid_and_wrong_signer_rejected(adapter, network, alice, bob):
    unsigned = adapter.build_transfer(Transfer(network, alice.account, bob.address, Amount(1, 18, "ETH")))
    with pytest.raises(BadInput, match="signing key belongs to"):
        adapter.sign(unsigned, bob.signer)
    signed = adapter.sign(unsigned, alice.signer)
    signed.txid = "0x" + "00" * 32
    with pytest.raises(BadInput, match="does not match"):
        adapter.broadcast(signed)


def test_status_of_a_transaction_that_reverts_on_chain(adapter, network, url, alice, bob, token):
    # Built offline, so no simulation stops it: the chain mines it with status 0 and keeps the fee.
    anvil.set_blocked(url, token, bob.address)
    unsigned = build_offline(Transfer(network, alice.account, bob.address, Amount(1, 6, "TT"), token=token),
                             0, 10 * 10**9, 10**9, 100_000)
    txid = adapter.broadcast(adapter.sign(unsigned, alice.signer))
    st = adapter.wait(txid, timeout=10)
    rc = mined(url, txid)
    assert int(rc["status"], 16) == 0
    assert st.state == "failed" and st.block == int(rc["blockNumber"], 16)
    assert st.fee is not None and st.fee.value == int(rc["gasUsed"], 16) * int(rc["effectiveGasPrice"], 16)
    assert token_balance(url, token, bob.address) == 0
