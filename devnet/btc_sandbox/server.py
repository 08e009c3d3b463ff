"""The Esplora HTTP server over the sandbox chain, plus private /devnet/* endpoints (mine, fund, fees)."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any

from devnet.btc_sandbox import esplora
from devnet.btc_sandbox.chain import Chain, Rejected
from devnet.btc_sandbox.faucet import Faucet
from devnet.loopback import LoopbackServer, reply

DEFAULT_PORT = 3002
DEFAULT_FEE_ESTIMATES = {"1": 20.0, "2": 15.0, "3": 10.0, "4": 8.0, "5": 6.0, "6": 5.0, "10": 3.0,
                         "25": 2.0, "144": 1.0, "504": 1.0, "1008": 1.0}
_HEX64 = r"([0-9a-fA-F]{64})"


class _Reply(Exception):
    def __init__(self, code: int, body: Any) -> None:
        super().__init__(code)
        self.code = code
        self.body = body


def _regtest_spk(address: str) -> bytes:
    import bdkpython as bdk

    try:
        return bdk.Address(address, bdk.Network.REGTEST).script_pubkey().to_bytes()
    except Exception:  # noqa: BLE001
        raise _Reply(400, f"{address!r} is not a valid regtest address") from None


class Sandbox(LoopbackServer):
    """A regtest chain served over Esplora on 127.0.0.1. `Sandbox(port=0)` picks a free port."""

    thread_name = "btc-sandbox"

    def __init__(self, port: int = 0, host: str = "127.0.0.1", log_requests: bool = False) -> None:
        super().__init__(port, host)
        self.chain = Chain()
        self.faucet = Faucet(self.chain)
        self.fee_estimates: dict[str, float] = dict(DEFAULT_FEE_ESTIMATES)
        self.log_requests = log_requests
        self.requests: list[str] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("BtcHandler", (_Handler,), {"box": self})

    # ---- in-process helpers (tests, benchmarks, `wallet demo`) -------------------------------
    def mine(self, blocks: int = 1, address: str | None = None) -> list[str]:
        spk = _regtest_spk(address) if address else self.faucet.spk()
        return self.chain.mine(blocks, spk)

    def fund(self, address: str, amount: int) -> str:
        return self.faucet.pay(self.url, [(address, amount)])

    def fund_many(self, payments: list[tuple[str, int]]) -> str:
        return self.faucet.pay(self.url, payments)

    def submit(self, raw_hex: str) -> str:
        return self.chain.accept(bytes.fromhex(raw_hex))


class _Handler(BaseHTTPRequestHandler):
    box: Sandbox
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: with Nagle on, a two-write reply waits ~40 ms for delayed ACKs.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests and `wallet devnet up` print their own summaries

    def _send(self, code: int, body: Any) -> None:
        reply(self, code, body)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if self.box.log_requests:
            self.box.requests.append(f"{method} {path}")
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            route = _get if method == "GET" else _post
            self._send(200, route(self.box, path, body))
        except _Reply as r:
            self._send(r.code, r.body)
        except esplora.NotFound as e:
            self._send(404, str(e) or "Not found")
        except Rejected as e:
            self._send(400, f"sendrawtransaction RPC error: {e}")
        except Exception as e:  # noqa: BLE001 - never kill the server thread on one bad request
            self._send(500, f"internal error: {type(e).__name__}")

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")


def _tx(chain: Chain, txid: str) -> Any:
    t = chain.txs.get(txid.lower())
    if t is None:
        raise esplora.NotFound("Transaction not found")
    return t


def _block(chain: Chain, block_hash: str) -> Any:
    b = chain.block_by_hash.get(block_hash.lower())
    if b is None:
        raise esplora.NotFound("Block not found")
    return b


def _get(box: Sandbox, path: str, _body: bytes) -> Any:  # noqa: C901 - a flat route table reads best
    chain = box.chain
    with chain.lock:
        if path == "/blocks/tip/height":
            return str(chain.height)
        if path == "/blocks/tip/hash":
            return chain.tip.hash
        if m := re.fullmatch(r"/block-height/(\d+)", path):
            b = chain.block_at(int(m.group(1)))
            if b is None:
                raise esplora.NotFound("Block not found")
            return b.hash
        if m := re.fullmatch(r"/blocks(?:/(\d+))?", path):
            start = int(m.group(1)) if m.group(1) else chain.height
            start = min(start, chain.height)
            return [esplora.block_json(chain, chain.blocks[h]) for h in range(start, max(start - 10, -1), -1)]
        if m := re.fullmatch(rf"/block/{_HEX64}(/.*)?", path):
            b, rest = _block(chain, m.group(1)), m.group(2) or ""
            if rest == "":
                return esplora.block_json(chain, b)
            if rest == "/header":
                return b.header.serialize().hex()
            if rest == "/status":
                return esplora.block_status_json(chain, b)
            if rest == "/txids":
                return b.txids
            if rest == "/raw":
                return esplora.block_raw(chain, b)
            if mm := re.fullmatch(r"/txid/(\d+)", rest):
                i = int(mm.group(1))
                if i >= len(b.txids):
                    raise esplora.NotFound("Transaction not found")
                return b.txids[i]
            if mm := re.fullmatch(r"/txs(?:/(\d+))?", rest):
                i = int(mm.group(1) or 0)
                return [esplora.tx_json(chain, chain.txs[t]) for t in b.txids[i:i + 25]]
        if m := re.fullmatch(rf"/tx/{_HEX64}(/.*)?", path):
            t, rest = _tx(chain, m.group(1)), m.group(2) or ""
            if rest == "":
                return esplora.tx_json(chain, t)
            if rest == "/hex":
                return t.raw.hex()
            if rest == "/raw":
                return t.raw
            if rest == "/status":
                return esplora.status_json(chain, t)
            if rest == "/outspends":
                return [esplora.outspend_json(chain, t.txid, i) for i in range(len(t.outputs))]
            if mm := re.fullmatch(r"/outspend/(\d+)", rest):
                return esplora.outspend_json(chain, t.txid, int(mm.group(1)))
            if rest == "/merkle-proof":
                return esplora.merkle_proof(chain, t)
        if m := re.fullmatch(r"/(scripthash|address)/([^/]+)(/.*)?", path):
            kind, key, rest = m.group(1), m.group(2), m.group(3) or ""
            from devnet.btc_sandbox.chain import scripthash

            sh = scripthash(_regtest_spk(key)) if kind == "address" else key.lower()
            if rest == "":
                return {kind: key, **esplora.scripthash_stats(chain, sh)}
            if rest == "/txs":
                return esplora.scripthash_txs(chain, sh, None)
            if mm := re.fullmatch(rf"/txs/chain(?:/{_HEX64})?", rest):
                last = mm.group(1)
                if last is None:
                    return esplora.scripthash_txs(chain, sh, None)[:esplora.PAGE_CONFIRMED]
                return esplora.scripthash_txs(chain, sh, last.lower())
            if rest == "/txs/mempool":
                return [x for x in esplora.scripthash_txs(chain, sh, None) if not x["status"]["confirmed"]]
            if rest == "/utxo":
                return esplora.scripthash_utxo(chain, sh)
        if path == "/fee-estimates":
            return box.fee_estimates
        if path == "/mempool/txids":
            return list(chain.mempool)
        if path == "/mempool":
            txs = [chain.txs[t] for t in chain.mempool]
            return {"count": len(txs), "vsize": sum(t.vsize for t in txs),
                    "total_fee": sum(t.fee for t in txs), "fee_histogram": []}
    raise esplora.NotFound("Not found")


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        d = json.loads(body or b"{}")
    except ValueError:
        raise _Reply(400, "the body must be JSON") from None
    if not isinstance(d, dict):
        raise _Reply(400, "the body must be a JSON object")
    return d


def _post(box: Sandbox, path: str, body: bytes) -> Any:
    if path == "/tx":
        text = body.decode(errors="replace").strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise Rejected("TX decode failed (the body is not hex)") from None
        return box.chain.accept(raw)
    if path == "/devnet/mine":
        d = _json_body(body)
        n = d.get("blocks", 1)
        if not isinstance(n, int) or not 0 < n <= 10_000:
            raise _Reply(400, "blocks must be an integer between 1 and 10000")
        return {"hashes": box.mine(n, d.get("address")), "height": box.chain.height}
    if path == "/devnet/fund":
        d = _json_body(body)
        amount = d.get("amount")
        if not isinstance(amount, int) or amount <= 0 or not isinstance(d.get("address"), str):
            raise _Reply(400, "fund needs an address and a positive integer amount in satoshis")
        _regtest_spk(d["address"])
        return {"txid": box.fund(d["address"], amount), "height": box.chain.height}
    if path == "/devnet/fee-estimates":
        d = _json_body(body)
        try:
            box.fee_estimates = {str(int(k)): float(v) for k, v in d.items()}
        except (TypeError, ValueError):
            raise _Reply(400, "fee estimates must map block targets to sat/vB numbers") from None
        return box.fee_estimates
    raise esplora.NotFound("Not found")
