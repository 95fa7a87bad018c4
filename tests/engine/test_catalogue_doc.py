"""docs/catalogue.md lists every service with its code, record date and legal bases, and
is regenerated whenever a definition changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from click.testing import CliRunner

from engine.catalog import Catalog
from engine.catalogue_doc import markdown
from web.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"


def test_the_document_is_the_catalogue_as_it_is_now():
    assert DOC.read_text(encoding="utf-8") == markdown(Catalog.load().latest()), \
        "regenerate it with: dichvucong schemas catalogue --out docs/catalogue.md"


def test_each_service_has_its_row_with_code_record_date_and_laws(catalog):
    text = DOC.read_text(encoding="utf-8")
    for service in catalog:
        row = next(line for line in text.splitlines() if line.startswith(f"| {service.info.code} |"))
        assert service.info.name in row
        for law in service.info.legal_basis:
            assert f"{law.number} ({law.issued:%d/%m/%Y})" in row
        expected = f"{service.info.record_updated:%d/%m/%Y}" if service.info.record_updated else "—"
        assert f"| {expected} |" in row


def test_a_changed_legal_basis_changes_the_document(catalog):
    service = catalog["dang-ky-khai-sinh"]
    law = service.info.legal_basis[0].model_copy(update={"number": "99/2099/QH99"})
    changed = dataclasses.replace(service, info=service.info.model_copy(update={"legal_basis": [law]}))
    others = [s for s in catalog if s.slug != service.slug]
    assert "99/2099/QH99" in markdown([*others, changed]) and markdown([*others, changed]) != DOC.read_text(encoding="utf-8")


def test_the_command_prints_the_document():
    result = CliRunner().invoke(main, ["schemas", "catalogue"])
    assert result.exit_code == 0 and result.output == DOC.read_text(encoding="utf-8")
