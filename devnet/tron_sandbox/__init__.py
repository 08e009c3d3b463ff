"""local-tron: an HTTP server with the shape of TRON's full-node API, in front of a MODEL of TRON.

This is not TRON: no TRON node installs from PyPI, npm or Debian, so devnet/tron_sandbox/state.py
models the rules the wallet depends on (protobuf decoding, txID, signature recovery, TaPoS,
expiration, duplicates, bandwidth/energy/activation charges, a USDT-like TRC-20 deployed at start).
The endpoints answer with java-tron's JSON shapes: POST /wallet/getnowblock, getblockbynum,
getaccount, getaccountresource, getchainparameters, triggerconstantcontract, broadcasthex,
broadcasttransaction, gettransactionbyid, gettransactioninfobyid. Test and demo extras under
/devnet/: fund, mint, stake, advance (the clock), hold/release/drop (pending transactions), lie (the
next broadcast answers an ambiguous error).
Run in the foreground with `python -m devnet.tron_sandbox [--port 8090]`.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from devnet.loopback import LoopbackServer, reply
from devnet.tron_sandbox.state import (
    GENESIS_ID,
    PARAMS,
    USDT,
    AccountState,
    SandboxError,
    TronChain,
    parse_address,
)

__all__ = ["GENESIS_ID", "USDT", "Sandbox", "fund", "mint"]
DEFAULT_PORT = 8090
MAX_REQUEST = 1024 * 1024


def _hex(text: Any) -> bytes:
    return bytes.fromhex(str(text).removeprefix("0x"))


def wallet_api(c: TronChain, name: str, p: dict[str, Any]) -> dict[str, Any]:
    if name == "getnowblock":
        return c.block_json(c.blocks[-1])
    if name == "getblockbynum":
        n = int(p.get("num", 0))
        return c.block_json(c.blocks[n]) if 0 <= n < len(c.blocks) else {}
    if name == "getaccount":
        addr = parse_address(p["address"])
        a = c.account(addr)
        return {} if a is None else {"address": addr, "balance": a.balance, "create_time": a.create_time}
    if name == "getaccountresource":
        return c.resources(parse_address(p["address"]))
    if name == "getchainparameters":
        return {"chainParameter": [{"key": k, "value": v} for k, v in PARAMS.items()]}
    if name == "triggerconstantcontract":
        return c.constant_call(parse_address(p["owner_address"]), parse_address(p["contract_address"]),
                               str(p.get("function_selector", "")), _hex(p.get("parameter", "")))
    if name in ("broadcasthex", "broadcasttransaction"):
        tx = _hex(p["transaction"]) if name == "broadcasthex" else _from_json_tx(p)
        lie, c.lie_next = c.lie_next, None
        if lie == "drop":
            return {"result": False, "code": "OTHER_ERROR", "message": b"connection reset".hex()}
        try:
            txid = c.broadcast(tx)
        except SandboxError as e:
            return {"result": False, "code": e.code, "message": e.message.encode().hex()}
        if lie == "accept":        # it was taken, but the reply says otherwise
            return {"result": False, "code": "SERVER_BUSY", "message": b"server busy".hex()}
        return {"result": True, "code": "SUCCESS", "txid": txid}
    if name == "gettransactionbyid":
        return c.txs.get(str(p.get("value", "")), {})
    if name == "gettransactioninfobyid":
        return c.infos.get(str(p.get("value", "")), {})
    raise KeyError(name)


def _from_json_tx(p: dict[str, Any]) -> bytes:
    from chains.tron.tx import signed_bytes

    return signed_bytes(_hex(p["raw_data_hex"]), _hex((p.get("signature") or [""])[0]))


def devnet_api(c: TronChain, name: str, p: dict[str, Any]) -> dict[str, Any]:
    if name == "fund":
        return {"txid": c.fund(parse_address(p["address"]), int(p["amount"]))}
    if name == "mint":
        return {"txid": c.mint(parse_address(p["address"]), int(p["amount"]))}
    if name == "stake":
        a = c.accounts.setdefault(parse_address(p["address"]), AccountState(create_time=c.now_ms()))
        a.net_limit += int(p.get("bandwidth", 0))
        a.energy_limit += int(p.get("energy", 0))
        return {"ok": True}
    if name == "advance":
        c.clock_offset_ms += int(p["seconds"]) * 1000
        c._new_block([])
        return {"now": c.now_ms()}
    if name == "hold":
        c.hold = bool(p.get("on", True))
        return {"hold": c.hold}
    if name == "release":
        c.hold = False
        return {"included": c.release()}
    if name == "drop":
        return {"dropped": c.drop_held()}
    if name == "lie":
        c.lie_next = str(p.get("mode", "accept"))
        return {"ok": True}
    raise KeyError(name)


class _Handler(BaseHTTPRequestHandler):
    chain: TronChain

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        n = int(self.headers.get("Content-Length") or 0)
        status, out = 200, {}
        try:
            if n > MAX_REQUEST:
                raise ValueError("request too large")
            body = json.loads(self.rfile.read(n) or b"{}")
            prefix, _, name = self.path.strip("/").partition("/")
            api = {"wallet": wallet_api, "devnet": devnet_api}.get(prefix)
            if api is None or not isinstance(body, dict):
                raise KeyError(self.path)
            with self.chain.lock:
                out = api(self.chain, name, body)
        except KeyError:
            status, out = 404, {"Error": "unknown endpoint or missing field"}
        except (ValueError, TypeError, IndexError) as e:
            out = {"Error": f"class java.lang.IllegalArgumentException : {str(e)[:200]}"}
        reply(self, status, out)


class Sandbox(LoopbackServer):
    """`with Sandbox() as sb: sb.url` - a fresh modelled TRON chain on a loopback port."""

    thread_name = "tron-sandbox"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.chain = TronChain()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("TronHandler", (_Handler,), {"chain": self.chain})


# --- helpers that act on a running sandbox, given its URL --------------------------------------
def _devnet(url: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to a devnet extra; a refused connection is an OSError (URLError), as the other sandboxes raise."""
    import urllib.request

    target = f"{url.rstrip('/')}/devnet/{name}"
    req = urllib.request.Request(target, json.dumps(body).encode(), {"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - a loopback sandbox URL
        return json.loads(r.read(MAX_REQUEST))


def fund(url: str, address: str, amount: int, token: str | None = None) -> str | None:
    """Give `amount` base units of TRX, or of the sandbox's USDT with token='USDT' (or its address)."""
    if token is None:
        return str(_devnet(url, "fund", {"address": address, "amount": int(amount)})["txid"])
    if token.upper() != "USDT" and token != USDT:
        raise ValueError(f"the TRON sandbox has one token, USDT at {USDT}")
    return str(_devnet(url, "mint", {"address": address, "amount": int(amount)})["txid"])


def mint(url: str, address: str, amount: int) -> str:
    return str(_devnet(url, "mint", {"address": address, "amount": int(amount)})["txid"])


def stake(url: str, address: str, *, bandwidth: int = 0, energy: int = 0) -> None:
    _devnet(url, "stake", {"address": address, "bandwidth": bandwidth, "energy": energy})


def advance(url: str, seconds: int) -> int:
    return int(_devnet(url, "advance", {"seconds": seconds})["now"])


def hold(url: str, on: bool = True) -> None:
    """While on, broadcasts are accepted (gettransactionbyid shows them) but wait outside any block."""
    _devnet(url, "hold", {"on": on})


def release(url: str) -> list[str]:
    return list(_devnet(url, "release", {})["included"])


def drop_held(url: str) -> int:
    return int(_devnet(url, "drop", {})["dropped"])


def lie(url: str, mode: str = "accept") -> None:
    """The next broadcast answers an error: 'accept' takes the transaction anyway, 'drop' does not."""
    _devnet(url, "lie", {"mode": mode})


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="local-tron: a model of TRON's full-node HTTP API")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = ap.parse_args()
    sb = Sandbox(args.port).start()
    print(f"TRON sandbox (a model of TRON, not java-tron) on {sb.url}; USDT at {USDT} (Ctrl-C to stop)", flush=True)
    try:
        sb.serve_forever()
    except KeyboardInterrupt:
        pass
