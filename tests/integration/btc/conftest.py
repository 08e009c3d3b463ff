"""Fixtures: one regtest sandbox per session; a fresh adapter data dir per test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from chains.base import Network
from chains.bitcoin import Adapter
from chains.networks import get_network
from devnet.btc_sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def network(sandbox: Sandbox) -> Network:
    return dataclasses.replace(get_network("local-btc"), rpc_url=sandbox.url)


@pytest.fixture
def adapter(network: Network, tmp_path) -> Adapter:  # noqa: ANN001
    return Adapter(network, str(tmp_path / "data"))
