"""Fixtures for the EVM adapter tests: real anvil processes on free loopback ports.

Every test gets fresh random accounts funded from anvil's dev account, so tests do not share nonces
or balances and can run in any order (and under xdist, where each worker has its own anvil).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chains.base import Network
from chains.evm import Adapter
from devnet import anvil

from .helpers import ETH, Wallet, local_network, new_wallet


@pytest.fixture(scope="session")
def chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def url(chain: anvil.Sandbox) -> str:
    return chain.url


@pytest.fixture
def network(url: str) -> Network:
    return local_network(url)


@pytest.fixture
def adapter(network: Network) -> Adapter:
    return Adapter(network)


@pytest.fixture
def alice(url: str) -> Wallet:
    w = new_wallet()
    anvil.fund(url, w.address, 10 * ETH)
    return w


@pytest.fixture
def bob() -> Wallet:
    return new_wallet()


@pytest.fixture
def token(url: str, alice: Wallet) -> str:
    """A fresh TestToken (symbol TT, 6 decimals) with 1,000,000 TT minted to alice."""
    return anvil.deploy_token(url, "Test Token", "TT", 6, 1_000_000 * 10**6, alice.address)


@pytest.fixture(scope="module")
def manual_chain() -> Iterator[anvil.Sandbox]:
    """anvil with mining on demand, so that transactions stay pending until evm_mine."""
    with anvil.Sandbox(no_mining=True) as sb:
        yield sb
