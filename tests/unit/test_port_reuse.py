"""`devnet up` right after a stopped devnet: connections in TIME_WAIT must not make the port look taken."""

from __future__ import annotations

import socket

from devnet.anvil import port_free


def test_port_in_time_wait_is_free_but_a_listener_is_not() -> None:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as anvil (tokio) binds its listener
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    assert not port_free(port)                       # something listens: in use
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    conn.close()                                     # the server side closes first: its end sits in TIME_WAIT
    cli.recv(1)
    cli.close()
    srv.close()
    plain = socket.socket()
    try:
        plain.bind(("127.0.0.1", port))              # what the old check did: fails while TIME_WAIT lasts
        lingering = False
    except OSError:
        lingering = True
    finally:
        plain.close()
    assert lingering, "no TIME_WAIT was produced; the test would prove nothing"
    assert port_free(port)
