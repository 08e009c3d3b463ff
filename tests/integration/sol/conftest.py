"""Fixtures for the Solana adapter tests: one LiteSVM JSON-RPC sandbox per session on a free port.

Every test makes fresh random keys (solders Keypair from os.urandom seeds) funded by airdrop, so
tests share no balances and can run in any order, and under xdist (one sandbox per worker).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from solders.keypair import Keypair

from chains.base import Account, Network, Signer
from chains.networks import get_network
from chains.solana import Adapter
from devnet import sol_sandbox


@dataclass
class Wallet:
    keypair: Keypair
    seed: bytes

    @property
    def address(self) -> str:
        return str(self.keypair.pubkey())

    @property
    def account(self) -> Account:
        return Account("sol", 0, None, self.address, bytes(self.keypair.pubkey()).hex())

    @property
    def signer(self) -> Signer:
        return Signer("sol", self.address, self.seed)


def new_wallet() -> Wallet:
    seed = os.urandom(32)
    return Wallet(Keypair.from_seed(seed), seed)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def url(sandbox: sol_sandbox.Sandbox) -> str:
    return sandbox.url


@pytest.fixture
def network(url: str) -> Network:
    return dataclasses.replace(get_network("local-sol"), rpc_url=url)


@pytest.fixture
def adapter(network: Network) -> Adapter:
    return Adapter(network)


@pytest.fixture
def funded(url: str) -> Wallet:
    """A fresh wallet holding exactly 2 SOL."""
    w = new_wallet()
    sol_sandbox.fund(url, w.address, 2 * 10**9)
    return w
