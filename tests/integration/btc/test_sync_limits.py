"""The BDK wallet sync has a total deadline and its data dir is private (issue 8 items 15, 18, smaller)."""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator

import pytest
from btc_helpers import make_keys

from chains.bitcoin import Adapter
from chains.errors import Unavailable


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers a byte."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


def test_a_silent_esplora_fails_the_sync_at_its_deadline(network, tmp_path, silent_server, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("WALLET_SYNC_TIMEOUT", "3")
    a = Adapter(dataclasses.replace(network, rpc_url=silent_server), str(tmp_path / "d"))
    start = time.monotonic()
    with pytest.raises(Unavailable, match="did not finish the wallet sync within 3 s"):
        a.balance(make_keys().account)
    assert time.monotonic() - start < 10


def test_an_unreachable_esplora_is_a_sentence_not_a_class_name(network, tmp_path) -> None:  # noqa: ANN001
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                     # nothing listens there now
    a = Adapter(dataclasses.replace(network, rpc_url=f"http://127.0.0.1:{port}"), str(tmp_path / "d"))
    with pytest.raises(Unavailable) as e:
        a.balance(make_keys().account)
    assert "connection failed or timed out" in str(e.value)
    assert "(Minreq)" not in str(e.value)


def test_the_bdk_data_dir_is_private_under_umask_000(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    old = os.umask(0)
    try:
        Adapter(network, str(tmp_path / "d")).balance(make_keys().account)
    finally:
        os.umask(old)
    for d in (tmp_path / "d" / "btc", tmp_path / "d" / "btc" / network.name):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
