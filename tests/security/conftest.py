"""Attack tests reuse the gateway fixtures (real app and engine, Rasa stand-ins); the real stack
and Chromium come from tests/conftest.py, shared with the end-to-end tests."""

from __future__ import annotations

from tests.api.conftest import client, client_with_rasa, settings

__all__ = ["client", "client_with_rasa", "settings"]
