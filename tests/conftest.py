"""Shared test setup: every test runs offline against Flyte's embedded local runtime."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Tests in tests/adapters/<name>/ use the shared helpers beside this file (flyte_records, ...).
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Frameworks that phone home or prompt on first use must not do so in tests.
os.environ.setdefault("CREWAI_TESTING", "true")
os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("OTEL_SDK_DISABLED", "true")


@pytest.fixture(autouse=True, scope="session")
def _journal_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """byof's local journal goes to a throwaway file, never to the developer's ~/.flyte."""
    os.environ["BYOF_JOURNAL_PATH"] = str(tmp_path_factory.mktemp("journal") / "journal.db")


@pytest.fixture(autouse=True)
def _no_real_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real model provider, whatever the developer's shell exports."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def flyte_local() -> None:
    import flyte

    flyte.init()


@pytest.fixture(scope="session")
def chromium() -> str:
    """A headless Chromium's path; skips the test when none is installed (see browser.py)."""
    from browser import require_chromium

    return require_chromium()
