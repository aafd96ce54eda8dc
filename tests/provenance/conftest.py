"""Provenance tests run offline: any attempt to open a network connection fails the test."""

from __future__ import annotations

import socket

import pytest

from provenance_helpers import NetworkBlocked


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections (Unix sockets stay usable); Hub clients also told to stay offline."""

    def refuse(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkBlocked(f"network access attempted in an offline test: {address!r}")
        return _connect(self, address)

    _connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(
        NetworkBlocked(f"network access attempted in an offline test: {a!r}")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
