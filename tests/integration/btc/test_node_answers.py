"""Esplora answers that are wrong in form get one sentence and exit 5, never a crash (issue 8 items 17, 18).

A real HTTP server on loopback serves each bad answer; the wallet's own client reads it.
"""

from __future__ import annotations

import dataclasses
import http.server
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from btc_helpers import make_keys

from chains.base import Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter
from chains.bitcoin.node import Esplora
from chains.bitcoin.reasons import reason
from chains.errors import Unavailable

ANSWERS: dict[str, tuple[int, bytes]] = {}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        status, body = ANSWERS.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    ANSWERS.clear()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("answer", [(404, b"not found"), (200, b'{"1": NaN, "6": NaN}'),
                                    (200, b'{"6": Infinity}'), (200, b'{"6": -3}'), (200, b'{"x": 1}'),
                                    (200, b"[1, 2]"), (200, b'{"6": "fast"}')])
def test_bad_fee_estimates_are_unavailable(server: str, answer: tuple[int, bytes]) -> None:
    ANSWERS["/fee-estimates"] = answer
    with pytest.raises(Unavailable, match="fee estimates|HTTP 404"):
        Esplora(server).fee_estimates()


@pytest.mark.parametrize("body", [b"-1", b"tip", b""])
def test_a_bad_tip_height_is_unavailable(server: str, body: bytes) -> None:
    ANSWERS["/blocks/tip/height"] = (200, body)
    with pytest.raises(Unavailable, match="malformed tip height"):
        Esplora(server).tip_height()


@pytest.mark.parametrize("body", [b"[]", b'{"confirmed": true, "block_height": "x"}', b'"yes"'])
def test_a_malformed_tx_status_is_unavailable(network, server: str, body: bytes) -> None:  # noqa: ANN001
    txid = "11" * 32
    ANSWERS[f"/tx/{txid}/status"] = (200, body)
    with pytest.raises(Unavailable, match="malformed status"):
        Adapter(dataclasses.replace(network, rpc_url=server)).status(txid)


def test_a_send_against_an_esplora_without_fee_estimates_is_one_sentence(network, server: str, tmp_path) -> None:  # noqa: ANN001
    ANSWERS["/block-height/0"] = (200, network.genesis.encode())
    keys = make_keys()
    a = Adapter(dataclasses.replace(network, rpc_url=server), str(tmp_path / "d"))
    t = Transfer(a.network, keys.account, make_keys().address(0), Amount(10_000, 8, "BTC"), fees=FeeOptions())
    with pytest.raises(Unavailable, match="answered /fee-estimates with HTTP 404"):
        a.build_transfer(t)
    t2 = dataclasses.replace(t, fees=FeeOptions(fee_rate=Decimal(2)))
    with pytest.raises(Unavailable) as e:           # the sync then fails: a reason, not "(Minreq)"/"(StatusCode)"
        a.build_transfer(t2)
    assert "(" not in str(e.value).split("sync with")[-1]


def test_bdk_failures_become_reasons_not_class_names() -> None:
    class MiniscriptPsbt(Exception):
        pass

    class Minreq(Exception):
        pass

    assert "does not match what this key can sign" in reason(MiniscriptPsbt())
    assert reason(Minreq()) == "the Bitcoin library refused it"    # a class with no phrase: still a sentence
