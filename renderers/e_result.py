"""The e-result of a service returned online (engine.definition.ResultDocument): printed
from the definition and the dossier's data when the clerk records the result without a
file, then signed and recorded by operations.desk like an uploaded result.

A line's value is shown as the dossier PDF shows that field (an option's label, a date as
dd/mm/yyyy, an address on one line). Printed like every PDF of ``renderers.pdf``: fonts
only, nothing fetched; everything autoescaped, so a definition's text stays text.
"""

from __future__ import annotations

import datetime as dt

from engine import pointers
from engine.catalog import Service
from engine.dossier import Dossier
from engine.form_model import form_model
from engine.forms import field_at
from renderers import pdf
from renderers.html import EMPTY, _shown
from renderers.timing import timed


def lines(service: Service, dossier: Dossier) -> list[tuple[str, str]]:
    """The document's lines: each label and the dossier's value of its field; a field the
    dossier left empty (an optional one, or one of a branch not chosen) prints no line."""
    document = service.info.result_document
    if document is None:
        return []
    root = form_model(service.form_schema).root
    shown = []
    for line in document.lines:
        value = pointers.resolve(dossier.data, line.field, None)
        field = field_at(root, dossier.data, list(pointers.split(line.field)))
        text = _shown(field, value) if field is not None and value is not None else EMPTY
        if text != EMPTY:
            shown.append((line.label, text))
    return shown


def render_e_result_html(service: Service, dossier: Dossier, note: str, clerk_name: str,
                         issued_at: dt.datetime, place: str = "",
                         verification: pdf.Verification | None = None) -> str:
    """``verification``: the code and QR code the document prints to be checked."""
    document = service.info.result_document
    if document is None:
        raise ValueError(f"dịch vụ {service.slug} không có mẫu kết quả điện tử (result_document)")
    pdf._same_service(service, dossier)
    return pdf._render(
        "pdf/e_result.html", kind="e-result", document=document,
        title=f"{document.title} — {dossier.receipt_number or dossier.id}",
        identity=f"Kết quả điện tử · Số biên nhận {dossier.receipt_number} · Hồ sơ {dossier.id}",
        service=service, info=service.info, dossier=dossier, lines=lines(service, dossier), note=note,
        clerk_name=clerk_name, place_date=pdf.place_date(place, issued_at), watermark=False,
        verification=verification,
    )


def render_e_result_pdf(service: Service, dossier: Dossier, note: str, clerk_name: str,
                        issued_at: dt.datetime, place: str = "",
                        verification: pdf.Verification | None = None) -> bytes:
    with timed("e-result"):
        # PDF/A-3a like the dossier PDF, carrying the dossier's JSON for the next system
        return pdf.html_to_pdf(render_e_result_html(service, dossier, note, clerk_name, issued_at, place,
                                                    verification),
                               attachments=[pdf.dossier_attachment(service, dossier)])
