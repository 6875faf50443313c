"""Where the running byof was installed from, and so the pip requirement that installs it again.

No package index has every byof (a checkout, a wheel you built), so `flyte-byof==<version>` is
right only for a byof that came from one. PEP 610's `direct_url.json`, which pip and uv write for
every install that did not come from an index, says where it did come from: a folder (editable
or not), a wheel file, a VCS commit. Every install hint byof prints (`byof adapters`,
NoAdapterError, FrameworkVersionError), the project templates and `byof.environment`'s image
ask this module, so they all name the byof that is actually running.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .._version import __version__

DISTRIBUTION = "flyte-byof"


def extras_spec(extras: Iterable[str]) -> str:
    """`[a,b]` for the extras, or nothing."""
    names = list(dict.fromkeys(extras))
    return f"[{','.join(names)}]" if names else ""


@dataclass(frozen=True)
class Origin:
    """How this byof was installed: from a package index (`url` empty) or from a direct URL."""

    version: str = __version__
    url: str = ""  # PEP 610 `url`: file:// for a folder or wheel file, or a remote/VCS URL
    editable: bool = False
    vcs: str = ""  # e.g. "git", with `commit` the exact revision installed
    commit: str = ""
    subdirectory: str = ""

    @property
    def from_index(self) -> bool:
        return not self.url

    @property
    def path(self) -> Path | None:
        """The local folder or wheel file byof was installed from (file:// URLs only)."""
        parsed = urlparse(self.url)
        return Path(unquote(parsed.path)) if parsed.scheme == "file" and not self.vcs else None

    @property
    def is_wheel(self) -> bool:
        return self.url.endswith(".whl")

    @property
    def reference(self) -> str:
        """What follows `@` in a PEP 508 direct reference to this byof; empty for an index install."""
        if not self.vcs:
            return self.url
        suffix = f"#subdirectory={self.subdirectory}" if self.subdirectory else ""
        return f"{self.vcs}+{self.url}@{self.commit}{suffix}"

    def requirement(self, extras: Iterable[str] = ()) -> str:
        """The requirement that installs this byof, with `extras`, into a fresh environment."""
        spec = extras_spec(extras)
        if self.from_index:
            return f"{DISTRIBUTION}{spec}=={self.version}"
        return f"{DISTRIBUTION}{spec} @ {self.reference}"

    def pip_install(self, extras: Iterable[str] = ()) -> str:
        """The command that adds `extras` to this environment's byof and keeps it installed the
        same way (an editable checkout stays editable)."""
        if self.editable and self.path is not None:
            return f'pip install -e "{self.path}{extras_spec(extras)}"'
        return f'pip install "{self.requirement(extras)}"'


@functools.lru_cache(maxsize=1)
def origin() -> Origin:
    """The origin of the running byof, read once per process."""
    found = list(metadata.distributions(name=DISTRIBUTION))
    # A checkout's own flyte_byof.egg-info (on sys.path when Python runs from the checkout) is a
    # build by-product with no direct_url.json; the installed distribution is the one that has it.
    for dist in found:
        raw = dist.read_text("direct_url.json")
        if raw:
            return from_direct_url(json.loads(raw))
    return Origin()


def from_direct_url(info: dict[str, Any]) -> Origin:
    """An Origin from a PEP 610 direct_url.json document."""
    vcs = info.get("vcs_info") or {}
    return Origin(
        url=str(info["url"]),
        editable=bool((info.get("dir_info") or {}).get("editable")),
        vcs=str(vcs.get("vcs", "")),
        commit=str(vcs.get("commit_id", "")),
        subdirectory=str(info.get("subdirectory", "")),
    )
