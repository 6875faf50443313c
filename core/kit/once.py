"""Warnings said once per process and subject, so a loop over many runs does not repeat them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable
from typing import Any

_said: set[Hashable] = set()
_lock = threading.Lock()


def warn_once(logger: logging.Logger, key: Hashable, message: str, *args: Any) -> None:
    """Log `message % args` as a warning on `logger`, the first time for `key` only."""
    with _lock:
        if key in _said:
            return
        _said.add(key)
    logger.warning(message, *args)
