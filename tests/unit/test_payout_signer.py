"""The per-run EVM signer produces exactly the bytes of chains.evm.sign (itself checked against cast)."""

from __future__ import annotations

import os

import pytest

from chains.evm.fees import Fees
from chains.evm.sign import decode_signed, sign_transaction
from keystore.addresses import to_checksum_address
from wallet_cli.payouts.evm_signer import FastSigner


@pytest.mark.parametrize("fees", [Fees(3 * 10**9, 10**9), Fees(2 * 10**9, None)])
def test_same_bytes_as_single_send_signer(fees: Fees) -> None:
    key = os.urandom(32)
    fast = FastSigner(key, 8453, fees)
    for nonce, value, data in [(0, 1, b""), (1, 10**18, b""), (300, 0, b"\xa9\x05\x9c\xbb" + os.urandom(64)),
                               (2**40, 2**200, b"\x00")]:
        to = os.urandom(20)
        tx = {"chainId": 8453, "nonce": nonce, "gas": 65_000, "to": to_checksum_address(to), "value": value,
              "data": "0x" + data.hex()}
        if fees.legacy:
            tx.update(type=0, gasPrice=fees.max_fee)
        else:
            tx.update(type=2, maxFeePerGas=fees.max_fee, maxPriorityFeePerGas=fees.priority_fee)
        raw, txid = fast.sign(nonce, to, value, data, 65_000)
        want_raw, want_txid = sign_transaction(tx, key)
        assert raw == "0x" + want_raw.hex() and txid == want_txid
        decoded, sender, _ = decode_signed(want_raw)
        assert sender == to_checksum_address(fast.address_bytes) and decoded["nonce"] == nonce
