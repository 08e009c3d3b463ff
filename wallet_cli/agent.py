"""The signing agent: one process holds the unlocked vault and signs over a Unix socket, like ssh-agent.

Socket: $WALLET_HOME/agent/agent.sock, mode 0600 inside a 0700 directory. Every connection's peer uid
is read with SO_PEERCRED; any uid other than the agent's own is refused. The agent refuses to start
for a home owned by another user.

Wire protocol, version 1. One request per connection: a single line of UTF-8 JSON (at most 1 MiB),
answered by a single line of JSON, then the agent closes the connection.
    request  {"v": 1, "op": OP, "vault": NAME, "lang": LANG, ...}
    reply    {"v": 1, "ok": true, ...}   or   {"v": 1, "ok": false, "error": {"code": EXIT, "kind": K, "message": S}}
"lang" (optional: "en" or "zh_CN") is the client's language: the agent words S in it, so a refusal reads
in the language of the person who sees it, whatever the agent was started in. EXIT and every field stay
as they are in any language.
OPs:
    status           -> vault, vault_id, pid, ttl_left, idle_left, mlock, policy (true when one is set)
    lock, stop       -> wipes the keys and exits (both; a locked agent is a stopped one)
    policy           -> policy: the stored policy (JSON form) or null
    sign_tx          account {chain, address}, unsigned (UnsignedTx JSON), tags {kind, token, idem_key,
                     intent, replaces}  -> signed (SignedTx JSON)
    check_run        account, unsigned: [UnsignedTx JSON, ...] (one network)  -> ok when the whole batch
                     passes the policy, each counted with the ones before it (nothing is signed)
    sign_message     account, network, message_hex, offchain  -> signature
    sign_typed_data  account, network, typed  -> signature
The client's UnsignedTx summary, recipient and amount are not trusted: the agent decodes the payload
itself (wallet_cli/decode.py), compares it with the review, checks the policy against the journal's
windows plus every signature it made itself, signs, and journals the signed transaction before it
replies. So a client killed mid-request leaves at most a journalled, never-broadcast transaction that
a rerun reconciles, and a script that bypasses the journal still has its spending counted.

Lifetime: keys are wiped and the process exits at the TTL, after the idle timeout (no signing
request), on `wallet agent lock|stop` and on SIGTERM. Memory is mlock'ed where the OS allows, core
dumps are off and the process is not dumpable (no ptrace by the same uid). Python cannot promise that
no copy of a secret survives in freed memory until the process exits; the README says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wallet_cli import agent_client, guard
from wallet_cli.agent_client import MAX_MESSAGE, PROTOCOL, socket_path
from wallet_i18n import _

_TAGS = ("kind", "token", "idem_key", "intent", "replaces")
MAX_DEPTH = 64  # nesting of a request (typed data is a few levels deep)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
READ_DEADLINE = 10.0  # seconds for a whole request, however slowly its bytes arrive


@dataclass
class State:
    home: Path
    vault: str
    uv: Any
    ttl: float
    idle: float
    started: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)
    mlocked: bool = False
    ledger: guard.Ledger = field(default_factory=guard.Ledger)
    stop: bool = False
    lang: str = ""                     # the agent's own language; a request may ask for another

    def left(self) -> tuple[float, float]:
        now = time.monotonic()
        return self.ttl - (now - self.started), self.idle - (now - self.last_used)


def harden() -> bool:
    """No core dumps, not ptrace-able by the same uid, memory locked where allowed. True when mlocked."""
    import ctypes
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
        # MCL_FUTURE under a finite RLIMIT_MEMLOCK would make later allocations fail: only when unlimited.
        unlimited = resource.getrlimit(resource.RLIMIT_MEMLOCK)[0] == resource.RLIM_INFINITY
        return libc.mlockall(1 | (2 if unlimited else 0)) == 0  # MCL_CURRENT | MCL_FUTURE
    except (OSError, AttributeError):
        return False


def wipe(state: State) -> None:
    """Drop every reference to the secrets we hold; Python may still have copies in freed memory."""
    from wallet_cli import session

    with contextlib.suppress(Exception):
        state.uv.secrets.mnemonic = ""
        state.uv.secrets.passphrase = ""
        state.uv.secrets.imported = {}
        state.uv._data_key = b""
    state.uv = None
    session._unlocked.clear()


def peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _depth(line: bytes) -> int:
    """The deepest nesting of [ and { outside JSON strings."""
    brackets = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", line).translate(None, delete=_NOT_BRACKETS)
    depth = deepest = 0
    for c in brackets:
        depth += 1 if c in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _read_request(conn: socket.socket) -> dict[str, Any]:
    deadline = time.monotonic() + READ_DEADLINE
    buf = bytearray()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ValueError(_("the request did not arrive within {seconds} s").format(seconds=f"{READ_DEADLINE:g}"))
        conn.settimeout(left)
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_MESSAGE:
            raise ValueError(_("the request is larger than 1 MiB"))
    line = bytes(buf).split(b"\n", 1)[0]
    # Deeply nested JSON: a bad request, not the end of the serve loop. Checked before json.loads, whose C
    # parser overflows the stack once a library (py_ecc, imported for typed data) raises the recursion limit.
    if _depth(line) > MAX_DEPTH:
        raise ValueError(_("the request is nested more than {depth} levels deep").format(depth=MAX_DEPTH))
    try:
        body = json.loads(line)
    except RecursionError:
        raise ValueError(_("the request is nested too deeply")) from None
    if not isinstance(body, dict):
        raise ValueError(_("the request is not a JSON object"))
    return body


def _reply(conn: socket.socket, body: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # a client that died mid-request: its transaction is journalled
        conn.sendall(json.dumps({"v": PROTOCOL, **body}).encode() + b"\n")


def _error(exc: BaseException) -> dict[str, Any]:
    from wallet_cli import errors

    code = errors.exit_code_for(exc)
    if code is None:
        return {"ok": False, "error": {"code": 1, "message": _("the agent failed unexpectedly ({error})").format(
            error=type(exc).__name__)}}
    return {"ok": False, "error": {"code": code, "kind": errors.code_for(exc), "message": str(exc)}}


def _entry(state: State, account: Any) -> dict[str, Any]:
    from wallet_cli.errors import UsageError

    if not isinstance(account, dict):
        raise UsageError(_("the request names no account"))
    for e in state.uv.info.accounts:  # the authenticated index the agent unlocked, never the client's copy
        if e.get("chain") == account.get("chain") and e.get("address") == account.get("address"):
            return e
    raise UsageError(_("the vault '{vault}' has no {chain} account {address}").format(
        vault=state.vault, chain=account.get("chain"), address=account.get("address")))


def _network(name: Any, family: str) -> Any:
    from wallet_cli import netconf
    from wallet_cli.errors import UsageError

    net = netconf.network(str(name))
    if net.family != family:
        raise UsageError(_("{network} is a {network_family} network, not {family}").format(
            network=net.name, network_family=net.family, family=family))
    return net


def _save_mark(state: State) -> Any:
    def save(uv: Any, journal: Any, spend: Any = None) -> None:
        from wallet_cli import session

        state.uv = guard.advance_mark(state.home, state.vault, uv, journal, spend)
        session.replace(state.uv, state.vault)
    return save


def handle(state: State, req: dict[str, Any]) -> dict[str, Any]:
    from chains.base import UnsignedTx, get_adapter
    from wallet_cli import decode, netconf, signing
    from wallet_cli.errors import UsageError
    from wallet_cli.journal import Journal

    if req.get("v") != PROTOCOL:
        raise UsageError(_("this agent speaks protocol {version}, not {asked!r}").format(version=PROTOCOL,
                                                                                     asked=req.get("v")))
    op = req.get("op")
    if op == "status":
        ttl_left, idle_left = state.left()
        return {"ok": True, "vault": state.vault, "vault_id": state.uv.info.id, "pid": os.getpid(),
                "ttl_left": round(ttl_left), "idle_left": round(idle_left), "mlock": state.mlocked,
                "policy": state.uv.secrets.policy is not None, "locked": False}
    if op in ("lock", "stop"):
        state.stop = True
        return {"ok": True, "locked": True}
    if req.get("vault") != state.vault:
        raise UsageError(_("this agent serves the vault '{vault}', not {asked!r}").format(vault=state.vault,
                                                                                       asked=req.get("vault")))
    if op == "policy":
        return {"ok": True, "policy": state.uv.secrets.policy}
    state.last_used = time.monotonic()
    entry = _entry(state, req.get("account"))
    journal = Journal(state.home)
    try:
        if op == "sign_tx":
            unsigned = UnsignedTx.from_json(req["unsigned"])
            net = _network(unsigned.network, entry["chain"])
            adapter = get_adapter(net, netconf.data_dir())
            signer = signing.key_for(entry, net)
            spend = decode.transaction(unsigned, net, adapter, signer)
            tags = {k: str(v) for k, v in (req.get("tags") or {}).items() if k in _TAGS and v is not None}
            signed = signing.finish(adapter, unsigned, signer, spend, state.uv, journal, tags,
                                    save_mark=_save_mark(state), ledger=state.ledger)
            return {"ok": True, "signed": signed.to_json()}
        if op == "check_run":
            runs = [UnsignedTx.from_json(u) for u in req.get("unsigned") or []]
            if not runs or len({u.network for u in runs}) != 1:
                raise UsageError(_("a run is a non-empty list of transactions on one network"))
            net = _network(runs[0].network, entry["chain"])
            adapter = get_adapter(net, netconf.data_dir())
            key = signing.key_for(entry, net)
            guard.check_run(state.uv, [decode.transaction(u, net, adapter, key) for u in runs], journal,
                            ledger=state.ledger)
            return {"ok": True}
        net = _network(req.get("network"), entry["chain"])
        adapter = get_adapter(net, None)
        if op == "sign_message":
            extra = {"offchain": True} if req.get("offchain") else {}
            message = bytes.fromhex(str(req.get("message_hex", "")))
            return {"ok": True, "signature": signing.message_signature(state.uv, adapter, entry, net, message, extra)}
        if op == "sign_typed_data":
            typed = req.get("typed")
            if not isinstance(typed, dict):
                raise UsageError(_("typed data must be a JSON object"))
            sig = signing.typed_signature(state.uv, adapter, entry, net, typed, journal, state.ledger,
                                          save=_save_mark(state))
            return {"ok": True, "signature": sig}
    finally:
        journal.close()
    raise UsageError(_("unknown agent operation {op!r}").format(op=op))


def speak(state: State, lang: Any) -> None:
    """Word the replies to this request in the client's language ("en", "zh_CN"), else in the agent's own."""
    import wallet_i18n

    if not state.lang:
        state.lang = wallet_i18n.language()
    wanted = (wallet_i18n.normalize(lang) if isinstance(lang, str) and len(lang) < 40 else None) or state.lang
    wallet_i18n.use(wanted if wanted in wallet_i18n.LANGUAGES else None)  # one request at a time


def _serve_one(state: State, conn: socket.socket) -> None:
    with conn:
        speak(state, None)
        if peer_uid(conn) != os.getuid():
            _reply(conn, {"ok": False, "error": {"code": 3, "message": _("the agent serves only its own user")}})
            return
        try:
            req = _read_request(conn)
        except (ValueError, OSError) as e:
            _reply(conn, {"ok": False, "error": {"code": 2, "message": _("bad request: {reason}").format(reason=e)}})
            return
        speak(state, req.get("lang"))
        ttl_left, idle_left = state.left()
        if ttl_left <= 0 or idle_left <= 0:  # the request took its time to arrive: too late to sign
            state.stop = True
            _reply(conn, {"ok": False, "error": {"code": 3, "message": _(
                "the agent has locked (its time to live or idle timeout ran out); start it with wallet agent "
                "start")}})
            return
        try:
            reply = handle(state, req)
        except Exception as e:  # noqa: BLE001 - every failure becomes one reply; the agent keeps serving
            reply = _error(e)
        if req.get("op") not in ("status", "lock", "stop"):
            state.last_used = time.monotonic()  # idle counts from the end of the last signing request
        _reply(conn, reply)


def bind(home: Path) -> socket.socket:
    from keystore.files import ensure_private_dir

    path = socket_path(home)
    ensure_private_dir(path.parent)
    agent_client._remove_stale(path)  # noqa: SLF001 - the start already checked no agent listens
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(str(path))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    sock.listen(16)
    return sock


def serve(state: State, sock: socket.socket) -> None:
    """Accept until the TTL, the idle timeout, lock/stop or SIGTERM; then wipe, remove the socket, return."""
    path = socket_path(state.home)

    def on_term(_signum: int, _frame: Any) -> None:
        state.stop = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        while not state.stop:
            ttl_left, idle_left = state.left()
            if ttl_left <= 0 or idle_left <= 0:
                break
            sock.settimeout(max(0.05, min(ttl_left, idle_left, 0.5)))
            try:
                conn, _addr = sock.accept()
            except (TimeoutError, InterruptedError):
                continue
            _serve_one(state, conn)
    finally:
        wipe(state)
        with contextlib.suppress(OSError):
            os.unlink(path)
        sock.close()


def daemonize(state: State) -> int:
    """Fork; the child serves in its own session with stdio on /dev/null. Returns the child's pid."""
    sock = bind(state.home)
    r, w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(w)
        sock.close()
        ok = os.read(r, 1)
        os.close(r)
        if ok != b"1":
            raise OSError(_("the agent did not start"))
        return pid
    os.close(r)
    try:
        os.setsid()
        os.chdir("/")  # hold no directory busy; the home is absolute
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        state.mlocked = harden()
        state.started = state.last_used = time.monotonic()
        os.write(w, b"1")
        os.close(w)
        serve(state, sock)
    finally:
        os._exit(0)
