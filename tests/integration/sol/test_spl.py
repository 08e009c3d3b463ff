"""SPL Token and Token-2022 transfers on the real SPL programs inside LiteSVM."""

from __future__ import annotations

import dataclasses

import pytest
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address

from chains.base import Amount, Network, Transfer
from chains.errors import InsufficientFunds, SimulationFailed
from chains.solana import Adapter
from devnet import sol_sandbox

from .conftest import Wallet, new_wallet
from .helpers import RENT_TOKEN_ACCOUNT, lamports, rpc, token_amount

TOKEN = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022 = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")


def ata(owner: str, mint: str, program: Pubkey = TOKEN) -> str:
    return str(get_associated_token_address(Pubkey.from_string(owner), Pubkey.from_string(mint), program))


def spl(network: Network, sender: Wallet, to: str, amount: str, token: str, decimals: int) -> Transfer:
    return Transfer(network, sender.account, to, Amount.parse(amount, decimals, "TOK"), token=token)


@pytest.fixture(scope="module")
def mint(url: str) -> str:
    return sol_sandbox.create_mint(url, 6)


@pytest.fixture
def holder(funded: Wallet, url: str, mint: str) -> Wallet:
    sol_sandbox.mint_to(url, mint, funded.address, 10_000_000)     # 10 tokens
    return funded


def test_token_info_and_balance_read_from_chain(adapter: Adapter, holder: Wallet, mint: str) -> None:
    assert adapter.token_info(mint)[2] == 6
    bal = adapter.balance(holder.account, mint)
    assert (bal.value, bal.decimals) == (10_000_000, 6)
    named = Adapter(dataclasses.replace(adapter.network, tokens={"TOK": {"address": mint, "decimals": 6}}))
    assert named.balance(holder.account, "tok") == Amount(10_000_000, 6, "TOK")


def test_spl_send_to_existing_token_account(adapter: Adapter, holder: Wallet, url: str, mint: str) -> None:
    to = new_wallet()
    sol_sandbox.mint_to(url, mint, to.address, 0)                   # recipient already has its ATA
    unsigned = adapter.build_transfer(spl(adapter.network, holder, to.address, "2.5", mint, 6))
    assert "Creates token account" not in unsigned.summary
    assert unsigned.payload["rent"] == 0
    before = lamports(url, holder.address)
    adapter.broadcast(adapter.sign(unsigned, holder.signer))
    assert token_amount(url, ata(to.address, mint)) == 2_500_000
    assert token_amount(url, ata(holder.address, mint)) == 7_500_000
    assert before - lamports(url, holder.address) == unsigned.fee.value


def test_spl_send_to_token_account_address_directly(adapter: Adapter, holder: Wallet, url: str,
                                                     mint: str) -> None:
    to = new_wallet()
    sol_sandbox.mint_to(url, mint, to.address, 0)
    dest = ata(to.address, mint)
    adapter.broadcast(adapter.sign(adapter.build_transfer(spl(adapter.network, holder, dest, "1", mint, 6)),
                                   holder.signer))
    assert token_amount(url, dest) == 1_000_000


def test_spl_send_creates_missing_ata_and_shows_rent(adapter: Adapter, holder: Wallet, url: str,
                                                     mint: str) -> None:
    to = new_wallet()
    dest = ata(to.address, mint)
    assert rpc(url, "getAccountInfo", [dest, {"encoding": "base64"}])["value"] is None
    unsigned = adapter.build_transfer(spl(adapter.network, holder, to.address, "3", mint, 6))
    assert unsigned.payload["rent"] == RENT_TOKEN_ACCOUNT
    assert "0.00203928 SOL" in unsigned.summary["Creates token account"]
    assert unsigned.payload["createsTokenAccount"] == dest
    before = lamports(url, holder.address)
    adapter.broadcast(adapter.sign(unsigned, holder.signer))
    assert token_amount(url, dest) == 3_000_000
    # The sender paid the fee plus the new account's rent, nothing else.
    assert before - lamports(url, holder.address) == unsigned.fee.value + RENT_TOKEN_ACCOUNT
    info = rpc(url, "getAccountInfo", [dest, {"encoding": "jsonParsed"}])["value"]
    assert info["data"]["parsed"]["info"]["owner"] == to.address


def test_token_2022_send(adapter: Adapter, funded: Wallet, url: str) -> None:
    mint22 = sol_sandbox.create_mint(url, 9, token_2022=True)
    sol_sandbox.mint_to(url, mint22, funded.address, 5 * 10**9)
    to = new_wallet()
    unsigned = adapter.build_transfer(spl(adapter.network, funded, to.address, "1.25", mint22, 9))
    adapter.broadcast(adapter.sign(unsigned, funded.signer))
    assert token_amount(url, ata(to.address, mint22, TOKEN_2022)) == 1_250_000_000
    assert adapter.balance(funded.account, mint22).value == 3_750_000_000


def test_not_enough_tokens(adapter: Adapter, holder: Wallet, mint: str) -> None:
    with pytest.raises(InsufficientFunds) as e:
        adapter.build_transfer(spl(adapter.network, holder, new_wallet().address, "10.000001", mint, 6))
    assert "10 " in str(e.value)


def test_not_enough_sol_for_ata_rent(adapter: Adapter, url: str, mint: str) -> None:
    w = new_wallet()
    sol_sandbox.fund(url, w.address, 1_000_000)        # enough for fees, not for a new account's rent
    sol_sandbox.mint_to(url, mint, w.address, 1_000_000)
    with pytest.raises(InsufficientFunds) as e:
        adapter.build_transfer(spl(adapter.network, w, new_wallet().address, "1", mint, 6))
    assert "rent for the new token account" in str(e.value)


def test_failing_simulation_shows_program_logs(adapter: Adapter, holder: Wallet, url: str, mint: str) -> None:
    to = new_wallet()
    sol_sandbox.mint_to(url, mint, to.address, 0)
    sol_sandbox.freeze(url, mint, to.address)          # as an issuer freezes a blacklisted account
    with pytest.raises(SimulationFailed) as e:
        adapter.build_transfer(spl(adapter.network, holder, to.address, "1", mint, 6))
    msg = str(e.value)
    assert "custom program error: 0x11" in msg          # TokenError::AccountFrozen = 17
    assert "Program log: Error: Account is frozen" in msg
