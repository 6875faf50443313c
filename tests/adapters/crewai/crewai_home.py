"""Import CrewAI without touching the developer's HOME (shared by the CrewAI test modules).

CrewAI prompts and phones home on first use, and writes under HOME (its data and cache
directories under XDG_DATA_HOME and XDG_CACHE_HOME, if set) when imported and whenever a Crew is
built. Importing this module sets
CrewAI's quiet mode and imports it under a temporary HOME; `use_home` puts that HOME back for a
test, so every Crew a test builds writes there too.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.update(CREWAI_TESTING="true", CREWAI_DISABLE_TELEMETRY="true", OTEL_SDK_DISABLED="true")
USER_HOME = Path(os.environ.get("HOME", "~")).expanduser()
# One temporary HOME per test session: processes the tests start (the kit's crash-resume worker,
# killed before it could clean up) use their parent's, which removes it at exit.
CREWAI_HOME = os.environ.get("BYOF_TEST_CREWAI_HOME", "")
if not CREWAI_HOME:
    CREWAI_HOME = os.environ["BYOF_TEST_CREWAI_HOME"] = tempfile.mkdtemp(prefix="byof-crewai-home-")
    atexit.register(shutil.rmtree, CREWAI_HOME, ignore_errors=True)
with pytest.MonkeyPatch.context() as patch:
    patch.setenv("HOME", CREWAI_HOME)
    for xdg in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        patch.delenv(xdg, raising=False)
    pytest.importorskip("crewai")


def use_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", CREWAI_HOME)
    for xdg in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(xdg, raising=False)
