"""The Solana fee is read from the message that is signed, as the runtime reads it (issue 8 item 5)."""

from __future__ import annotations

import os

import pytest
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message

from chains.base import Amount, Signer, UnsignedTx
from chains.errors import Refused
from chains.networks import get_network
from chains.solana import Adapter
from chains.solana import tx as sb

HASH = "11111111111111111111111111111111"


def _msg(limit: int, price: int, *, budget: bool = True) -> tuple[Keypair, Message]:
    kp = Keypair.from_seed(os.urandom(32))
    ixs = sb.sol_transfer(kp.pubkey(), Keypair().pubkey(), 1)
    if not budget:
        return kp, Message.new_with_blockhash(ixs, kp.pubkey(), Hash.from_string(HASH))
    return kp, sb.compose(kp.pubkey(), ixs, HASH, limit, price)


@pytest.mark.parametrize("limit,price,fee", [
    (1_000, 0, 5000),                          # base fee only
    (1_001, 1, 5001),                          # 1001 micro-lamports round up to one lamport
    (1_000_000, 1, 5001),
    (1_000_000, 3, 5003),
    (1_400_000, 943_571, 1_326_000),           # 5000 + ceil(1.4e6 * 943571 / 1e6) = 5000 + 1321000
])
def test_fee_of_message_is_base_per_signature_plus_price_times_limit_rounded_up(
        limit: int, price: int, fee: int) -> None:
    _, msg = _msg(limit, price)
    assert sb.budget_of(msg) == (limit, price)
    assert sb.fee_of_message(msg) == fee


def test_a_message_without_a_limit_instruction_is_charged_the_runtime_default() -> None:
    _, msg = _msg(0, 0, budget=False)
    assert sb.budget_of(msg) == (200_000, 0)
    assert sb.fee_of_message(msg) == 5000


def test_simulated_units_are_capped_per_instruction() -> None:
    assert sb.cu_limit_from_units(1_272_000, 1) == 200_000
    assert sb.cu_limit_from_units(450, 1) == 1_495


def test_sign_refuses_a_message_that_pays_more_than_the_fee_shown() -> None:
    kp, msg = _msg(1_400_000, 1_000_000)
    net = get_network("local-sol")
    shown = Amount(5000, 9, "SOL")
    unsigned = UnsignedTx("sol", net.name, str(kp.pubkey()), "x", shown, shown, {"message": sb.message_b64(msg)})
    with pytest.raises(Refused, match="more than"):
        Adapter(net).sign(unsigned, Signer("sol", str(kp.pubkey()), bytes(kp.secret())))
