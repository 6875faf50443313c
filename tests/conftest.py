"""Shared test setup: every test runs offline against Flyte's embedded local runtime."""

from __future__ import annotations

import os

import pytest

# Frameworks that phone home or prompt on first use must not do so in tests.
os.environ.setdefault("CREWAI_TESTING", "true")
os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("OTEL_SDK_DISABLED", "true")


@pytest.fixture(autouse=True)
def _no_real_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real model provider, whatever the developer's shell exports."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def flyte_local() -> None:
    import flyte

    flyte.init()
