"""Fixtures for the TRON adapter tests: one local-tron sandbox per module, fresh random keys per test."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest

from chains.base import Account, Network, Signer
from chains.networks import get_network
from chains.tron import Adapter
from chains.tron.sign import address_of_key
from devnet import tron_sandbox


@pytest.fixture(scope="module")
def node() -> Iterator[tron_sandbox.Sandbox]:
    with tron_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture
def net(node: tron_sandbox.Sandbox) -> Network:
    return dataclasses.replace(get_network("local-tron"), rpc_url=node.url)


@pytest.fixture
def adapter(net: Network) -> Adapter:
    return Adapter(net)


@pytest.fixture
def funded(node: tron_sandbox.Sandbox) -> tuple[Account, Signer]:
    """A new key holding 100 TRX and 50 USDT."""
    key = os.urandom(32)
    address = address_of_key(key)
    tron_sandbox.fund(node.url, address, 100_000_000)
    tron_sandbox.mint(node.url, address, 50_000_000)
    return Account("tron", None, None, address, ""), Signer("tron", address, key)


def stranger() -> str:
    return address_of_key(os.urandom(32))
