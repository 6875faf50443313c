"""Every private Flyte API byof touches, in one place.

byof uses public Flyte APIs everywhere else. The names below have no public equivalent yet;
tests/test_flyte_private.py exercises each of them against the installed Flyte, so an upgrade
that moves or changes one fails there, loudly, instead of somewhere downstream.

- `flyte._observe`: the observer hooks Flyte calls around every task execution and every
  `flyte.trace` step (the seam flyteplugins-otel uses). byof.testing reads what Flyte recorded
  through it.
"""

from __future__ import annotations

from flyte._observe import Recorder, StepInfo, TaskInfo, register_observer, unregister_observer

__all__ = ["Recorder", "StepInfo", "TaskInfo", "register_observer", "unregister_observer"]
