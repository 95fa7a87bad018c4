"""Where the workplace's shared data lives (../shared: the external corpus, reference data).

Looked up beside the checkout (DESIGN.md: ``../shared``), then beside each parent
folder (a CI clone may sit deeper), then at the workplace's fixed place. Tests that need
it skip when it is absent, unless REQUIRE_SHARED_CORPUS is set or CI=true (CI), where
they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_dir(holding: str = "corpus") -> Path | None:
    """The shared folder that has ``holding`` (a subfolder: "corpus", "reference/...")."""
    candidates = [Path(os.environ["DVC_SHARED"])] if os.environ.get("DVC_SHARED") else []
    candidates += [parent / "shared" for parent in ROOT.parents]
    candidates.append(Path("/work/shared"))
    return next((c for c in candidates if (c / holding).is_dir()), None)


def shared_required() -> bool:
    return bool(os.environ.get("REQUIRE_SHARED_CORPUS")) or os.environ.get("CI") == "true"


def require_shared(what: str, holding: str = "corpus") -> Path:
    """The shared folder, or a skip (a failure in CI) naming what needed it."""
    found = shared_dir(holding)
    if found is None:
        reason = f"no ../shared folder with the {what} next to {ROOT}"
        if shared_required():
            pytest.fail(reason + " (REQUIRE_SHARED_CORPUS or CI is set)", pytrace=False)
        pytest.skip(reason)
    return found
