"""Reading generated PDFs the way a clerk's viewer does: text per page, fonts, attachments."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from engine.dossier import Attachment, Dossier, Status
from engine.form_model import Field, form_model
from renderers.html import EMPTY, _shown

VN = dt.timezone(dt.timedelta(hours=7))
ACCEPTED_AT = dt.datetime(2026, 12, 2, 9, 30, tzinfo=VN)  # Wednesday
APPOINTMENT = dt.date(2026, 12, 7)  # three working days later (Monday)
RECEIPT = "2612-7KQ4-MX9P-B2TW"
LOOKUP_URL = f"http://127.0.0.1:5000/tra-cuu/{RECEIPT}"


def reader(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", "not a PDF"
    return PdfReader(io.BytesIO(data))


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def flat(text: str) -> str:
    """Whitespace collapsed: a value wrapped over two lines still reads as one."""
    return " ".join(text.split())


def embedded_fonts(data: bytes) -> dict[str, str]:
    """Base font name -> family name read from the embedded font program itself."""
    found = {}
    for page in reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            found[str(font["/BaseFont"])] = program["name"].getDebugName(1)
    return found


def accepted_dossier(service, data: Any = None, **changes: Any) -> Dossier:
    """The household sample as a dossier the desk accepted, with one upload and one paper document."""
    fields = dict(
        id="0123456789abcdef", service=service.slug, agency=service.info.agency.code, owner="citizen-1",
        applicant_name="Nguyễn Thị Thanh Tâm", applicant_id_number="093186004527", status=Status.PROCESSING,
        data=service.sample if data is None else data,
        checklist=["uy-quyen-nop-ho-so"],
        attachments={"van-ban-uy-quyen-chu-ho": Attachment(
            file_id="f1", filename="uyquyen.pdf", media_type="application/pdf", size=120_000,
            sha256="0" * 64, uploaded_at=ACCEPTED_AT)},
        receipt_number=RECEIPT, created_at=ACCEPTED_AT - dt.timedelta(hours=2),
        updated_at=ACCEPTED_AT, submitted_at=ACCEPTED_AT - dt.timedelta(hours=1), accepted_at=ACCEPTED_AT,
        appointment_date=APPOINTMENT,
    )
    fields.update(changes)
    return Dossier(**fields)


def printed_fields(schema: Any, data: Any) -> tuple[list[str], list[str]]:
    """Every field title and every filled value the display walk prints for ``data``
    (the active conditional branch only), each as the paper shows it."""
    titles: list[str] = []
    values: list[str] = []

    def leaf(f: Field, value: Any) -> None:
        titles.append(f.title)
        if value not in (None, "", [], {}):
            values.append(_shown(f, value))

    def walk(f: Field, value: Any, top: bool = False) -> None:
        if f.widget in ("constant", "null"):
            return
        if f.widget == "object":
            if not top:
                titles.append(f.title)
            value = value if isinstance(value, dict) else {}
            children = list(f.children)
            for condition in f.conditions:
                active = f.model.matches(condition.test, value)
                children += condition.then_fields if active else condition.else_fields
            for child in children:
                walk(child, value.get(child.name))
        elif f.widget == "array" and f.item is not None and f.item.widget == "object":
            titles.append(f.title)
            columns = [c for c in f.item.all_children() if c.widget not in ("constant", "null")]
            titles.extend(c.title for c in columns)
            for row in value or []:
                values.extend(_shown(c, row.get(c.name)) for c in columns if row.get(c.name) not in (None, ""))
        else:
            leaf(f, value)

    walk(form_model(schema).root, data, top=True)
    return [t for t in titles if t], [v for v in values if v != EMPTY]
