"""Chain identity through the adapter (issue 8, item 7): every path that signs or sends checks the chain
id against the configured network, and a reply carrying another request's id is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chains.base import Amount, Transfer
from chains.errors import ChainIdMismatch, Unavailable
from chains.evm import Adapter
from tests.reliability.fault_proxy import FaultProxy, Request

from .helpers import ETH, local_network, nonce


@pytest.fixture
def proxy(url: str) -> Iterator[FaultProxy]:
    with FaultProxy(url) as p:
        yield p


def test_every_signing_path_checks_the_chain_id(url, network, alice, bob, proxy) -> None:
    good = Adapter(network)
    signed = good.sign(good.build_transfer(Transfer(network, alice.account, bob.address, Amount(ETH, 18, "ETH"))),
                       alice.signer)
    proxy.set("wrong_chain", chain_id=1)   # the RPC claims to be mainnet
    bad = Adapter(local_network(proxy.url))
    with pytest.raises(ChainIdMismatch, match="reports chain id 1 but network local-evm is configured with 31337"):
        bad.build_transfer(Transfer(bad.network, alice.account, bob.address, Amount(ETH, 18, "ETH")))
    for step in (lambda: bad.broadcast(signed), lambda: bad.speed_up(signed, alice.signer),
                 lambda: bad.cancel(signed, alice.signer)):
        with pytest.raises(ChainIdMismatch, match="reports chain id 1"):
            step()
    assert proxy.faulted >= 4
    assert nonce(url, alice.address) == 0


def test_a_journalled_tx_for_another_chain_is_not_replaced(url, network, alice, bob) -> None:
    ad = Adapter(network)
    unsigned = ad.build_transfer(Transfer(network, alice.account, bob.address, Amount(ETH, 18, "ETH")))
    unsigned.payload["tx"]["chainId"] = 1     # as an edited journal could hold it
    foreign = ad.sign(unsigned, alice.signer)
    for replace in (ad.speed_up, ad.cancel):
        with pytest.raises(ChainIdMismatch, match="signed for chain id 1 but network local-evm is chain id 31337"):
            replace(foreign, alice.signer)
    with pytest.raises(ChainIdMismatch, match="signed for chain id 1"):
        ad.broadcast(foreign)
    assert nonce(url, alice.address) == 0


def test_a_reply_with_another_requests_id_is_refused(url, alice, proxy) -> None:
    def shifted(req: Request, upstream: bytes) -> bytes:
        doc = json.loads(upstream)
        for item in doc if isinstance(doc, list) else [doc]:
            item["id"] = item["id"] + 1000
        return json.dumps(doc).encode()

    proxy.set("wrong_body", match="eth_getBalance", body=shifted)
    ad = Adapter(local_network(proxy.url))
    with pytest.raises(Unavailable, match="answered eth_getBalance with the reply to another request"):
        ad.balance(alice.account)
    assert proxy.faulted == 1
