"""What a signature moves, decoded from the payload: the client's summary, recipient and amount don't count."""

from __future__ import annotations

import dataclasses

import pytest
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from chains.base import Amount, UnsignedTx
from chains.errors import BadInput
from chains.networks import get_network
from chains.solana import tokens as spl
from chains.solana import tx as sb
from wallet_cli import decode, guard

NET = get_network("local-evm")
TO = "0x" + "ab" * 20
TOKEN = "0x" + "cd" * 20
BLOCKHASH = "11111111111111111111111111111111"


def _evm(to: str, value: int, data: str = "0x", chain_id: int | None = None) -> UnsignedTx:
    tx = {"type": 2, "chainId": chain_id or NET.chain_id, "nonce": 0, "to": to, "value": str(value), "data": data,
          "gas": 21000, "maxFeePerGas": "1", "maxPriorityFeePerGas": "1"}
    return UnsignedTx("evm", NET.name, "0x" + "01" * 20, "0xclaimed", Amount(1, 18, "ETH"), Amount(0, 18, "ETH"),
                      {"tx": tx})


def _word(x: int | str) -> str:
    return (x[2:] if isinstance(x, str) else format(x, "x")).lower().rjust(64, "0")


def test_evm_native_transfer_and_erc20_transfer_and_approve() -> None:
    s = decode.evm(_evm(TO, 7), NET)
    assert (s.chain, s.token, s.outputs, s.contract_call) == ("evm:31337", None, ((TO, 7),), None)
    for selector in ("a9059cbb", "095ea7b3"):   # transfer, approve: both spend the amount
        s = decode.evm(_evm(TOKEN, 0, "0x" + selector + _word(TO) + _word(10**6)), NET)
        assert s.token == TOKEN and s.outputs == ((TO.lower(), 10**6),) and s.contract_call is None


def test_evm_unknown_calls_and_value_with_token_calls_are_flagged() -> None:
    call = decode.evm(_evm(TOKEN, 0, "0x12345678" + "00" * 32), NET)
    assert call.contract_call == f"the transaction calls the contract {TOKEN} with data (selector 0x12345678)"
    both = decode.evm(_evm(TOKEN, 5, "0xa9059cbb" + _word(TO) + _word(1)), NET)
    assert both.contract_call == "the transaction sends the native coin along with a token call"
    with pytest.raises(BadInput, match="for chain id 1, not local-evm"):
        decode.evm(_evm(TO, 1, chain_id=1), NET)


def test_the_review_must_match_the_decode() -> None:
    unsigned = _evm(TO, 7)
    spend = decode.evm(unsigned, NET)
    with pytest.raises(guard.Refused, match="pays 7 base units to 0xabab.* but its review says 1 to 0xclaimed"):
        guard.check_review(unsigned, spend)
    honest = dataclasses.replace(unsigned, recipient=TO.upper().replace("0X", "0x"), amount=Amount(7, 18, "ETH"))
    guard.check_review(honest, spend)


def _sol(ixs: list[Instruction], payer: Keypair, recipient: str) -> UnsignedTx:
    msg = sb.compose(payer.pubkey(), ixs, BLOCKHASH, 1000, 5)
    return UnsignedTx("sol", "local-sol", str(payer.pubkey()), recipient, Amount(1, 9, "SOL"), Amount(0, 9, "SOL"),
                      {"message": sb.message_b64(msg)})


SOL = get_network("local-sol")


def test_sol_transfer_spl_and_unknown_program() -> None:
    payer, bob = Keypair(), Keypair()
    s = decode.sol(_sol(sb.sol_transfer(payer.pubkey(), bob.pubkey(), 123), payer, str(bob.pubkey())), SOL)
    assert s.outputs == ((str(bob.pubkey()), 123),) and s.token is None and s.contract_call is None
    mint = Keypair().pubkey()
    dest = spl.ata_address(bob.pubkey(), mint)
    ixs = sb.spl_transfer(payer.pubkey(), dest, mint, 55, 6, spl.TOKEN_PROGRAM, bob.pubkey())
    s = decode.sol(_sol(ixs, payer, str(bob.pubkey())), SOL)
    assert s.token == str(mint) and s.outputs == ((str(bob.pubkey()), 55),) and s.contract_call is None
    # A claimed recipient that does not own the destination account: the account itself is the recipient.
    liar = decode.sol(_sol(ixs, payer, str(Keypair().pubkey())), SOL)
    assert liar.outputs == ((str(dest), 55),)
    other = Instruction(Pubkey.from_string("Stake11111111111111111111111111111111111111"), b"\x02",
                        [AccountMeta(payer.pubkey(), True, True)])
    s = decode.sol(_sol([other], payer, str(bob.pubkey())), SOL)
    assert s.contract_call == "the transaction calls the program Stake11111111111111111111111111111111111111"


def test_permit_is_a_spend_other_typed_data_is_a_message() -> None:
    permit = {"primaryType": "Permit", "domain": {"chainId": 8453, "verifyingContract": TOKEN},
              "message": {"owner": TO, "spender": "0x" + "ee" * 20, "value": 99}}
    s = decode.evm_typed_data(permit, NET, TO)
    assert s is not None and (s.chain, s.token, s.outputs) == ("evm:8453", TOKEN, (("0x" + "ee" * 20, 99),))
    dai = {**permit, "message": {"holder": TO, "spender": TO, "allowed": True}}
    assert decode.evm_typed_data(dai, NET, TO).outputs[0][1] == 2**256 - 1
    odd = {**permit, "message": {"spender": TO}}
    assert "cannot read" in (decode.evm_typed_data(odd, NET, TO).contract_call or "")
    assert decode.evm_typed_data({"primaryType": "Mail", "domain": {}, "message": {}}, NET, TO) is None


@pytest.mark.parametrize("primary", ["TransferWithAuthorization", "ReceiveWithAuthorization"])
def test_eip3009_authorization_is_a_spend_not_a_message(primary: str) -> None:
    """USDC's EIP-3009 authorisations move the tokens themselves (the relayer submits them): they were
    treated as plain typed data, so with [messages] allow = true one signature paid any amount to anyone."""
    from wallet_cli import policy as pol

    typed = {"primaryType": primary, "domain": {"chainId": NET.chain_id, "verifyingContract": TOKEN},
             "message": {"from": TO, "to": "0x" + "ee" * 20, "value": 10**12, "validAfter": 0,
                         "validBefore": 2**40, "nonce": "0x" + "00" * 32}}
    s = decode.evm_typed_data(typed, NET, TO)
    assert s is not None and (s.token, s.outputs) == (TOKEN, (("0x" + "ee" * 20, 10**12),))
    policy = pol.from_dict({"messages": {"allow": True}, "rule": [
        {"network": NET.name, "asset": "USDC", "max_per_tx": "100",
         "targets": [{"chain": "evm:31337", "network": NET.name, "token": TOKEN, "decimals": 6}]}]})
    with pytest.raises(pol.PolicyRefused, match="per-transaction limit on USDC"):
        pol.check(policy, s, [], 0)
    unreadable = decode.evm_typed_data({**typed, "message": {"from": TO, "to": TO}}, NET, TO)
    assert unreadable is not None and "cannot read" in (unreadable.contract_call or "")


def test_a_solana_instruction_naming_an_unlisted_account_is_bad_input() -> None:
    """An account index past the message's keys was an IndexError: 'the agent failed unexpectedly'
    (exit 1) through the agent, and a traceback-class bug in-process."""
    import base64

    from solders.hash import Hash
    from solders.instruction import CompiledInstruction
    from solders.message import Message

    payer = Pubkey.new_unique()
    data = bytes([2, 0, 0, 0]) + (5).to_bytes(8, "little")
    msg = Message.new_with_compiled_instructions(1, 0, 1, [payer, Pubkey.default()], Hash.default(),
                                                 [CompiledInstruction(1, data, bytes([0, 9]))])
    u = UnsignedTx("sol", SOL.name, str(payer), str(payer), Amount(5, 9, "SOL"), Amount(0, 9, "SOL"),
                   {"message": base64.b64encode(bytes(msg)).decode()})
    with pytest.raises(BadInput, match="does not list"):
        decode.sol(u, SOL)
