"""The autouse guard in tests/conftest.py: no test can reach beyond loopback."""

from __future__ import annotations

import socket

import pytest


def test_a_connection_beyond_loopback_is_refused() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="only loopback"):
            sock.connect(("93.184.215.14", 443))
        with pytest.raises(OSError, match="only loopback"):
            sock.connect_ex(("10.1.2.3", 80))
    finally:
        sock.close()


def test_loopback_stays_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
