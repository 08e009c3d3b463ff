"""The agent's connection handling, attacked by a client of the same uid: no hang, no crash, no
signature after the TTL."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from wallet_cli import agent


def _state(tmp_path: Path, ttl: float = 60.0, idle: float = 60.0) -> agent.State:
    uv = SimpleNamespace(info=SimpleNamespace(id="v1", accounts=[]), secrets=SimpleNamespace(policy=None))
    return agent.State(home=tmp_path, vault="default", uv=uv, ttl=ttl, idle=idle)


def _reply(client: socket.socket) -> dict:
    client.settimeout(5)
    data = b""
    while not data.endswith(b"\n"):
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data)


def test_deeply_nested_json_is_a_bad_request_not_a_crash(tmp_path: Path) -> None:
    """json.loads raises RecursionError (not ValueError) on deep nesting: it escaped _serve_one, ended
    the serve loop and so stopped the agent for everyone."""
    import sys

    state = _state(tmp_path)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(100000, limit))  # what importing py_ecc does: json's C parser then overflows
    try:
        for body in (b"[" * 200_000, b'{"v": 1, "op": "status", "x": ' + b"[" * 70 + b"]" * 70 + b"}"):
            client, server = socket.socketpair()
            client.sendall(body + b"\n")
            agent._serve_one(state, server)
            reply = _reply(client)
            assert reply["ok"] is False and reply["error"]["code"] == 2 and "nested" in reply["error"]["message"]
    finally:
        sys.setrecursionlimit(limit)
    assert not state.stop
    assert agent._depth(b'{"a": "[[[[[[", "b": [{"c": "\\"[["}]}') == 3


def test_a_client_trickling_bytes_cannot_hold_the_agent(tmp_path: Path, monkeypatch) -> None:
    """The 10 s read timeout was per recv: one byte every few seconds held the single-threaded agent
    forever, past its TTL and idle timeout. The whole request now has one deadline."""
    monkeypatch.setattr(agent, "READ_DEADLINE", 0.5)
    state = _state(tmp_path)
    client, server = socket.socketpair()
    stop = threading.Event()

    def trickle() -> None:
        while not stop.is_set():
            try:
                client.send(b" ")
            except OSError:
                return
            time.sleep(0.05)

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    began = time.monotonic()
    try:
        agent._serve_one(state, server)
    finally:
        stop.set()
        t.join()
    assert time.monotonic() - began < 2.0
    client.close()


def test_a_request_read_after_the_ttl_is_refused_and_locks(tmp_path: Path) -> None:
    """A connection opened before the TTL and completed after it was still served: the TTL is checked
    when the request is handled, not only between connections."""
    state = _state(tmp_path, ttl=0.2)
    client, server = socket.socketpair()
    time.sleep(0.3)
    client.sendall(json.dumps({"v": 1, "op": "sign_message", "vault": "default",
                               "account": {"chain": "evm", "address": "0x0"}}).encode() + b"\n")
    agent._serve_one(state, server)
    reply = _reply(client)
    assert reply["ok"] is False and reply["error"]["code"] == 3
    assert "locked" in reply["error"]["message"]
    assert state.stop
