"""`import byof` and loading every adapter import no agent framework."""

from __future__ import annotations

import json
import subprocess
import sys

from packaging_check import OPTIONAL_FRAMEWORKS

# The frameworks the extras install, and the provider SDK several of them share.
FRAMEWORKS = (*sorted(OPTIONAL_FRAMEWORKS), "openai")

CODE = f"""
import json, sys
import byof
before = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})
from byof.plugins import adapter_infos, adapters
infos = [i.name for i in adapter_infos()]
[a.claims(object()) for a in adapters()]
byof.wrap, byof.tool, byof.environment
after = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})
print(json.dumps({{"before": before, "after": after, "adapters": infos}}))
"""


def test_import_byof_and_all_adapters_import_no_framework() -> None:
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["before"] == [], f"import byof imported {result['before']}"
    assert result["after"] == [], f"loading adapters / detecting imported {result['after']}"
    assert "generic" in result["adapters"]
