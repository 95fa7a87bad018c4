"""The complete example in docs/authoring.md is a definition the lint accepts."""

from __future__ import annotations

import re
from pathlib import Path

from engine.catalog import DEFAULT_ROOT
from engine.lint import lint

DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def test_the_guide_example_passes_the_lint(tmp_path):
    example = DOC.read_text(encoding="utf-8").split("## 7. Ví dụ đầy đủ", 1)[1]
    blocks = dict(re.findall(r"`([a-z.]+\.json)`\n```json\n(.*?)\n```", example, flags=re.S))
    assert set(blocks) == {"service.json", "documents.json", "form.schema.json", "sample.json"}
    folder = tmp_path / "cap-ban-sao-trich-luc"
    folder.mkdir()
    for name, text in blocks.items():
        (folder / name).write_text(text, encoding="utf-8")
    report = lint([folder], DEFAULT_ROOT)
    assert [str(p) for p in report.problems] == []
    assert [str(w) for w in report.warnings] == []  # it states its online_service
    assert len(report.services) == 1


def test_every_format_and_extension_keyword_is_documented():
    from engine.formats import FORMATS
    from engine.schema_rules import X_KEYWORDS

    text = DOC.read_text(encoding="utf-8")
    for name in [*FORMATS, *X_KEYWORDS]:
        assert f"`{name}`" in text, name
