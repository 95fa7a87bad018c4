"""docs/security.md names, for each protection, the tests that prove it: they must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_the_threat_model_names_exists():
    document = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+(?:\.py)?/?)(?:::(\w+))?`", document)
    assert len(named) > 20
    for path, test in named:
        assert (ROOT / path).exists(), f"docs/security.md names {path}, which does not exist"
        if test:
            assert re.search(rf"^def {test}\b", (ROOT / path).read_text(encoding="utf-8"), re.M), f"{path}::{test}"
