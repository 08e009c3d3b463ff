"""Talking to the signing agent (wallet_cli/agent.py documents the wire protocol).

connect() returns None when no agent serves this home and vault, so callers sign in-process; a socket
file whose agent is gone (a stale socket after kill -9) is removed and treated the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import stat
from pathlib import Path
from typing import Any

from chains.base import Network, SignedTx, UnsignedTx
from keystore.boundedio import os_reason
from wallet_cli.errors import CliError, PasswordUnavailable, Refused
from wallet_i18n import N_, _, language, translated

PROTOCOL = 1
MAX_MESSAGE = 1 << 20
NOT_RUNNING = N_("the agent is not running; start it with wallet agent start")  # shown with translated()


class AgentError(CliError):
    """The agent refused or failed; carries the agent's exit code and sentence."""

    def __init__(self, message: str, code: int, kind: str | None = None) -> None:
        super().__init__(message)
        self.exit_code = code
        self.remote_code = kind   # the agent's error code (e.g. "policy_refused"), shown as this error's --json code


def socket_path(home: Path) -> Path:
    return Path(home) / "agent" / "agent.sock"


def _recv_line(sock: socket.socket) -> bytes:
    buf = bytearray()
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_MESSAGE:
            raise AgentError(_("the agent's reply is too large"), 1)
    return bytes(buf).split(b"\n", 1)[0]


def request(home: Path, body: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    """One request, one reply. Raises PasswordUnavailable (exit 3) when no agent is listening.

    The request names this process's language ("lang"), so the agent words its refusals for the person who
    reads them here, whatever language the agent was started in; codes and fields are never translated."""
    path = socket_path(home)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5.0)
    try:
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            _remove_stale(path)
            raise PasswordUnavailable(translated(NOT_RUNNING)) from None
        except OSError as e:
            raise PasswordUnavailable(_("the agent is not running; start it with wallet agent start (its socket "
                                        "{path}: {reason})").format(path=path, reason=os_reason(e))) from None
        s.settimeout(timeout)
        s.sendall(json.dumps({"v": PROTOCOL, "lang": language(), **body}).encode() + b"\n")
        try:
            raw = _recv_line(s)
        except TimeoutError:
            raise AgentError(_("the agent did not answer within {timeout} s").format(timeout=f"{timeout:g}"),
                             5) from None
    finally:
        s.close()
    if not raw:
        raise PasswordUnavailable(_("the agent is not running; start it with wallet agent start (it closed the "
                                    "connection)"))
    try:
        reply = json.loads(raw)
    except ValueError:
        raise AgentError(_("the agent's reply is not JSON"), 1) from None
    if not isinstance(reply, dict) or reply.get("v") != PROTOCOL:
        raise AgentError(_("the agent's reply is not protocol version {version}").format(version=PROTOCOL), 1)
    if not reply.get("ok"):
        err = reply.get("error") or {}
        code = err.get("code") if isinstance(err.get("code"), int) else 1
        kind = err.get("kind") if isinstance(err.get("kind"), str) and re.fullmatch(r"[a-z_]{1,40}", err["kind"]) \
            else None
        raise AgentError(str(err.get("message") or _("the agent failed")), code, kind)
    return reply


def _remove_stale(path: Path) -> None:
    """A socket file nobody listens on (the agent was killed): remove it, if it is ours and a socket."""
    with contextlib.suppress(OSError):
        st = os.lstat(path)
        if stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid():
            os.unlink(path)


class Client:
    def __init__(self, home: Path, vault: str) -> None:
        self.home, self.vault = home, vault

    def _call(self, body: dict[str, Any]) -> dict[str, Any]:
        return request(self.home, {"vault": self.vault, **body})

    def sign_tx(self, unsigned: UnsignedTx, entry: dict[str, Any], tags: dict[str, Any]) -> SignedTx:
        reply = self._call({"op": "sign_tx", "account": _ref(entry), "unsigned": unsigned.to_json(),
                            "tags": tags})
        return SignedTx.from_json(reply["signed"])

    def check_run(self, unsigned: list[UnsignedTx], entry: dict[str, Any]) -> None:
        self._call({"op": "check_run", "account": _ref(entry), "unsigned": [u.to_json() for u in unsigned]})

    def sign_message(self, message: bytes, entry: dict[str, Any], network: Network, extra: dict[str, Any]) -> str:
        reply = self._call({"op": "sign_message", "account": _ref(entry), "network": network.name,
                            "message_hex": message.hex(), "offchain": bool(extra.get("offchain"))})
        return str(reply["signature"])

    def sign_typed_data(self, typed: dict[str, Any], entry: dict[str, Any], network: Network) -> str:
        reply = self._call({"op": "sign_typed_data", "account": _ref(entry), "network": network.name,
                            "typed": typed})
        return str(reply["signature"])


def _ref(entry: dict[str, Any]) -> dict[str, str]:
    return {"chain": entry["chain"], "address": entry["address"]}


def connect(home: Path, vault: str) -> Client | None:
    """A client when an agent for this vault is listening; None otherwise (sign in-process)."""
    path = socket_path(home)
    if not path.exists():
        return None
    try:
        reply = request(home, {"op": "status"}, timeout=5.0)
    except PasswordUnavailable:
        return None
    if reply.get("vault") != vault:
        return None
    if reply.get("locked"):
        raise Refused(_("the agent is locked; start it again with wallet agent start"))
    return Client(home, vault)


def require(home: Path) -> dict[str, Any]:
    """status for `wallet agent status|lock|stop`: exit 3 with one sentence when nothing listens."""
    if not socket_path(home).exists():
        raise PasswordUnavailable(translated(NOT_RUNNING))
    return request(home, {"op": "status"}, timeout=5.0)
