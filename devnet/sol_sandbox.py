"""The Solana sandbox: a JSON-RPC 2.0 HTTP server on 127.0.0.1 in front of one LiteSVM chain.

Answers the subset of the Solana RPC API the wallet uses, with the real node's JSON shapes
({context: {slot}, value} wrappers, error code -32002 with err/logs for a failed preflight), so the
adapter under test is the same code that talks to a real cluster. Extras for tests and demos:
devnet_createMint, devnet_mintTo, devnet_freezeAccount, devnet_expireBlockhash, devnet_hold,
devnet_releaseHeld, devnet_dropHeld and devnet_setCommitment.
Run in the foreground with `python -m devnet.sol_sandbox [--port 8899]`.
"""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from solders.pubkey import Pubkey

from devnet.loopback import LoopbackServer, reply
from devnet.sol_state import SandboxRpcError, SolChain

DEFAULT_PORT = 8899
# A fixed genesis hash (base58 of sha256("wallet-cli LiteSVM sandbox genesis")), so the local-sol
# network can pin the sandbox's identity as real clusters pin theirs (chains/networks.toml).
GENESIS_HASH = "En9CJQ4EPuTpCXzZLMtcVU3rNjxU9dbrR2QA5R5nS3zf"


def _pubkey(text: Any) -> Pubkey:
    try:
        return Pubkey.from_string(str(text))
    except Exception:
        raise SandboxRpcError(-32602, f"Invalid param: {str(text)[:64]!r} is not a base58 pubkey") from None


def _b64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except Exception:
        raise SandboxRpcError(-32602, "Invalid param: not base64") from None


def _cfg(params: list[Any], i: int) -> dict[str, Any]:
    c = params[i] if len(params) > i else None
    return c if isinstance(c, dict) else {}


class Dispatcher:
    """Maps method names to handlers on one SolChain."""

    def __init__(self, chain: SolChain) -> None:
        self.chain = chain

    def ctx(self, value: Any) -> dict[str, Any]:
        return {"context": {"slot": self.chain.slot, "apiVersion": "2.2.0"}, "value": value}

    def __call__(self, method: str, p: list[Any]) -> Any:
        with self.chain.lock:       # one LiteSVM, one caller at a time
            return self._call(method, p)

    def _call(self, method: str, p: list[Any]) -> Any:
        c = self.chain
        if method == "getHealth":
            return "ok"
        if method == "getVersion":
            return {"solana-core": "2.2.0-litesvm-sandbox", "feature-set": 0}
        if method == "getGenesisHash":
            return GENESIS_HASH
        if method == "getSlot":
            return c.slot
        if method == "getBlockHeight":
            return c.height
        if method == "getBalance":
            acct = c.svm.get_account(_pubkey(p[0]))
            return self.ctx(acct.lamports if acct else 0)
        if method == "getLatestBlockhash":
            bh, last = c.latest()
            return self.ctx({"blockhash": bh, "lastValidBlockHeight": last})
        if method == "isBlockhashValid":
            return self.ctx(c.blockhash_valid(str(p[0])))
        if method == "getMinimumBalanceForRentExemption":
            return c.svm.minimum_balance_for_rent_exemption(int(p[0]))
        if method == "getFeeForMessage":
            try:
                return self.ctx(c.fee_for_message(_b64(p[0])))
            except ValueError:
                raise SandboxRpcError(-32602, "Invalid param: failed to decode message") from None
        if method == "getRecentPrioritizationFees":
            return c.recent_priority_fees([str(_pubkey(a)) for a in (p[0] if p else [])])
        if method == "getAccountInfo":
            return self.ctx(c.account_json(_pubkey(p[0]), _cfg(p, 1).get("encoding", "base64")))
        if method == "getMultipleAccounts":
            enc = _cfg(p, 1).get("encoding", "base64")
            return self.ctx([c.account_json(_pubkey(a), enc) for a in p[0]])
        if method == "getTokenAccountsByOwner":
            flt = _cfg(p, 1)
            mint = _pubkey(flt["mint"]) if "mint" in flt else None
            prog = _pubkey(flt["programId"]) if "programId" in flt else None
            if mint is None and prog is None:
                raise SandboxRpcError(-32602, "Invalid param: expected mint or programId filter")
            return self.ctx(c.token_accounts(_pubkey(p[0]), mint, prog, _cfg(p, 2).get("encoding", "base64")))
        if method == "requestAirdrop":
            return c.airdrop(_pubkey(p[0]), int(p[1]))
        if method == "sendTransaction":
            cfg = _cfg(p, 1)
            if cfg.get("encoding", "base58") != "base64":
                raise SandboxRpcError(-32602, "this sandbox accepts only base64-encoded transactions")
            return c.send(_b64(p[0]), bool(cfg.get("skipPreflight", False)))
        if method == "simulateTransaction":
            return self.ctx(self._simulate(p))
        if method == "getSignaturesForAddress":
            cfg = _cfg(p, 1)
            return c.history.signatures(str(_pubkey(p[0])), min(int(cfg.get("limit", 1000)), 1000),
                                        cfg.get("before"), cfg.get("until"))
        if method == "getTransaction":
            return c.history.transaction(str(p[0]))
        if method == "getSignatureStatuses":
            return self.ctx([c.status(str(s)) for s in p[0]])
        return self._devnet(method, p)

    def _simulate(self, p: list[Any]) -> dict[str, Any]:
        from solders.hash import Hash
        from solders.message import Message
        from solders.transaction import VersionedTransaction

        cfg = _cfg(p, 1)
        if cfg.get("encoding", "base58") != "base64":
            raise SandboxRpcError(-32602, "this sandbox accepts only base64-encoded transactions")
        try:
            tx = VersionedTransaction.from_bytes(_b64(p[0]))
        except Exception:
            raise SandboxRpcError(-32602, "failed to deserialize VersionedTransaction") from None
        sig_verify = bool(cfg.get("sigVerify", False))
        out: dict[str, Any] = {}
        if cfg.get("replaceRecentBlockhash"):
            if sig_verify:
                raise SandboxRpcError(-32602, "sigVerify may not be used with replaceRecentBlockhash")
            bh, last = self.chain.latest()
            m = tx.message
            if not isinstance(m, Message):
                raise SandboxRpcError(-32602, "replaceRecentBlockhash supports legacy messages only here")
            m = Message.new_with_compiled_instructions(
                m.header.num_required_signatures, m.header.num_readonly_signed_accounts,
                m.header.num_readonly_unsigned_accounts, m.account_keys, Hash.from_string(bh), m.instructions)
            tx = VersionedTransaction.populate(m, tx.signatures)
            out["replacementBlockhash"] = {"blockhash": bh, "lastValidBlockHeight": last}
        return {**self.chain.simulate(tx, sig_verify), **out}

    def _devnet(self, method: str, p: list[Any]) -> Any:
        c = self.chain
        if method == "devnet_createMint":
            opts = _cfg(p, 1)
            return c.create_mint(int(p[0]), token_2022=opts.get("program") == "token-2022")
        if method == "devnet_mintTo":
            return c.mint_to(_pubkey(p[0]), _pubkey(p[1]), int(p[2]))
        if method == "devnet_freezeAccount":
            return c.freeze(_pubkey(p[0]), _pubkey(p[1]))
        if method == "devnet_expireBlockhash":
            return c.expire_blockhash()
        if method == "devnet_hold":
            with c.lock:
                c.hold = bool(p[0]) if p else True
            return c.hold
        if method == "devnet_releaseHeld":
            with c.lock:
                c.hold = False
            return c.release_held()
        if method == "devnet_dropHeld":
            return c.drop_held()
        if method == "devnet_setCommitment":
            level = str(p[0]) if p else "finalized"
            if level not in ("processed", "confirmed", "finalized"):
                raise SandboxRpcError(-32602, "Invalid param: commitment must be processed, confirmed or finalized")
            with c.lock:
                c.commitment = level
            return level
        raise SandboxRpcError(-32601, "Method not found")


def _handle_one(dispatch: Dispatcher, req: Any) -> dict[str, Any]:
    rid = req.get("id") if isinstance(req, dict) else None
    try:
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            raise SandboxRpcError(-32600, "Invalid request")
        params = req.get("params") or []
        if not isinstance(params, list):
            raise SandboxRpcError(-32602, "Invalid params: expected an array")
        return {"jsonrpc": "2.0", "id": rid, "result": dispatch(req["method"], params)}
    except SandboxRpcError as e:
        err: dict[str, Any] = {"code": e.code, "message": e.message}
        if e.data is not None:
            err["data"] = e.data
        return {"jsonrpc": "2.0", "id": rid, "error": err}
    except (IndexError, KeyError, TypeError, ValueError) as e:
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": f"Invalid params: {e}"}}


class _Handler(BaseHTTPRequestHandler):
    dispatch: Dispatcher   # set on a per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        n = int(self.headers.get("Content-Length") or 0)
        try:
            doc = json.loads(self.rfile.read(n) or b"null")
        except ValueError:
            out: Any = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
        else:
            if isinstance(doc, list):
                out = [_handle_one(self.dispatch, r) for r in doc]
            else:
                out = _handle_one(self.dispatch, doc)
        reply(self, 200, out)


class Sandbox(LoopbackServer):
    """`with Sandbox() as sb: sb.url` - a fresh LiteSVM chain served on a loopback port."""

    thread_name = "sol-sandbox"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.chain: SolChain | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        self.chain = SolChain()
        return type("SolHandler", (_Handler,), {"dispatch": Dispatcher(self.chain)})


# --- helpers that act on an already running sandbox, given its URL ------------------------------
def _rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    from chains.solana.rpc import SolanaRpc

    return SolanaRpc(url, timeout=30).call(method, params or [])


def fund(url: str, address: str, amount: int) -> str | None:
    """Airdrop `amount` lamports; returns the airdrop's signature."""
    return str(_rpc(url, "requestAirdrop", [address, int(amount)]))


def create_mint(url: str, decimals: int, *, token_2022: bool = False) -> str:
    """A new SPL mint whose authority is the sandbox; returns the mint address."""
    program = "token-2022" if token_2022 else "token"
    return str(_rpc(url, "devnet_createMint", [decimals, {"program": program}]))


def mint_to(url: str, mint: str, owner_address: str, amount: int) -> str:
    """Mint base units to owner's associated token account (created if missing)."""
    return str(_rpc(url, "devnet_mintTo", [mint, owner_address, int(amount)]))


def freeze(url: str, mint: str, owner_address: str) -> str:
    """Freeze owner's associated token account for mint (as a stablecoin issuer can)."""
    return str(_rpc(url, "devnet_freezeAccount", [mint, owner_address]))


def expire_blockhash(url: str) -> str:
    return str(_rpc(url, "devnet_expireBlockhash"))


def hold(url: str, on: bool = True) -> bool:
    """While on, sendTransaction accepts (after preflight) but does not land transactions."""
    return bool(_rpc(url, "devnet_hold", [on]))


def release_held(url: str) -> list[dict[str, Any]]:
    return list(_rpc(url, "devnet_releaseHeld"))


def drop_held(url: str) -> int:
    return int(_rpc(url, "devnet_dropHeld"))


def set_commitment(url: str, level: str) -> str:
    """The confirmationStatus every landed transaction reports from now on (finalized by default)."""
    return str(_rpc(url, "devnet_setCommitment", [level]))


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = ap.parse_args()
    sb = Sandbox(args.port).start()
    print(f"Solana sandbox (LiteSVM) on {sb.url} (Ctrl-C to stop)", flush=True)
    try:
        sb.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
