"""Attack tests reuse the gateway fixtures (real app and engine, Rasa stand-ins) and the real stack."""

from __future__ import annotations

from tests.api.conftest import client, client_with_rasa, settings
from tests.e2e.conftest import advisor, browser, cloud, stack

__all__ = ["advisor", "browser", "client", "client_with_rasa", "cloud", "settings", "stack"]
