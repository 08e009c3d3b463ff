"""A token listed in the network config (address, decimals, optionally symbol) is checked against what
the RPC answers; a disagreement is refused, not obeyed (issue 8, item 6)."""

from __future__ import annotations

import pytest

from chains.base import Amount, Transfer
from chains.errors import Refused
from chains.evm import Adapter
from devnet import anvil

from .helpers import local_network, nonce


@pytest.fixture
def usdc8(url: str, alice) -> str:
    """A token calling itself USDC with 8 decimals (the real one has 6)."""
    return anvil.deploy_token(url, "USD Coin", "USDC", 8, 10**6 * 10**8, alice.address)


def test_rpc_decimals_that_disagree_with_the_config_are_refused(url, alice, bob, usdc8) -> None:
    net = local_network(url, tokens={"USDC": {"address": usdc8, "decimals": 6}})
    ad = Adapter(net)
    for token in ("USDC", "usdc", usdc8):
        with pytest.raises(Refused, match=r"has 8 decimals but network local-evm lists 6; refusing to trust it"):
            ad.token_info(token)
    with pytest.raises(Refused, match="lists 6"):
        ad.balance(alice.account, "USDC")
    # Built as the screen would have shown it: 12.5 with 8 decimals is 1250 of the real 6-decimal token.
    with pytest.raises(Refused, match="lists 6"):
        ad.build_transfer(Transfer(net, alice.account, bob.address, Amount.parse("12.5", 8, "USDC"), token="USDC"))
    assert nonce(url, alice.address) == 0


def test_a_listed_symbol_must_match(url, alice, token) -> None:
    ad = Adapter(local_network(url, tokens={"USDC": {"address": token, "decimals": 6, "symbol": "USDC"}}))
    with pytest.raises(Refused, match=r"is 'TT' but network local-evm lists it as 'USDC'"):
        ad.token_info("USDC")


def test_agreement_is_accepted(url, alice, token) -> None:
    ad = Adapter(local_network(url, tokens={"TT": {"address": token, "decimals": 6, "symbol": "TT"}}))
    assert ad.token_info("TT") == (token, "TT", 6)
    assert ad.balance(alice.account, "TT") == Amount(10**12, 6, "TT")


def test_a_hostile_rpc_answering_decimals_8_for_a_listed_6_is_refused(url, alice, bob, token) -> None:
    """The real contract says 6; the RPC in front of it says 8 (the issue's USDC case)."""
    import json

    from tests.reliability.fault_proxy import FaultProxy, Request

    def decimals_8(req: Request, upstream: bytes) -> bytes:
        doc = json.loads(upstream)
        calls = json.loads(req.body)
        calls = calls if isinstance(calls, list) else [calls]
        asks = {c["id"] for c in calls if c["method"] == "eth_call" and "313ce567" in json.dumps(c["params"])}
        for item in doc if isinstance(doc, list) else [doc]:
            if item.get("id") in asks:
                item["result"] = "0x" + "8".rjust(64, "0")
        return json.dumps(doc).encode()

    with FaultProxy(url) as proxy:
        proxy.set("wrong_chain", reply=decimals_8)
        net = local_network(proxy.url, tokens={"USDC": {"address": token, "decimals": 6}})
        ad = Adapter(net)
        with pytest.raises(Refused, match="has 8 decimals but network local-evm lists 6"):
            ad.build_transfer(Transfer(net, alice.account, bob.address, Amount.parse("12.5", 8, "USDC"),
                                       token="USDC"))
        assert proxy.faulted >= 1
    assert nonce(url, alice.address) == 0
