"""Printable PDFs: submitted dossiers, blank forms, sample dossiers and receipt slips.

Every PDF is HTML rendered by WeasyPrint. The HTML comes only from autoescaped Jinja2
templates (``templates/pdf/``) around the display walk of ``renderers.html`` (the same
walk as the "Xem hồ sơ mẫu" preview; ``blank=True`` for the form to fill by hand), so a
value or a schema text that contains markup prints as text. Each ``render_*_html``
returns exactly the HTML given to WeasyPrint, so tests can read it.

One :class:`_Printer` per process holds the URL fetcher (``renderers.print_assets``:
our fonts under ``dvc-print:``, nothing else), one ``FontConfiguration`` and the print
stylesheet parsed once: a fresh font configuration per render costs time and leaks
about 0.24 MB a render.

Every PDF is archival and accessible in one write: WeasyPrint's ``pdf/a-3a`` variant
(PDF/A-3 level A: sRGB output intent, XMP metadata, fonts embedded, and tagged, so a
/StructTreeRoot with headings, lists and tables, /MarkInfo, /Lang vi from ``<html
lang>``, the title shown), plus the PDF/UA-1 identification in the XMP (WeasyPrint's
``pdf/ua-1`` variant adds nothing else, and the two cannot be asked for together). The
QR code's SVG carries a ``<title>``, its alternate text. The printed dossier carries its
own data as ``ho-so-<id>.json`` (:func:`dossier_json`), an associated file of relationship
Data, for the next system to read without parsing the page.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import segno
from markupsafe import Markup

from engine import log_chain
from engine.catalog import Service
from engine.clock import VIETNAM
from engine.documents import grouped_code
from engine.dossier import STATUS_LABELS, Dossier
from renderers.html import _env, display_fields
from renderers.print_assets import PRINT_CSS, PrintFetcher, check_fonts
from renderers.timing import timed as _timed


BLANK_DATE = "…………, ngày …… tháng …… năm ……"


# -- the HTML ---------------------------------------------------------------------------

def render_dossier_html(service: Service, dossier: Dossier, lookup_url: str | None,
                        verification: Verification | None = None) -> str:
    """A submitted (or draft) dossier: every filled field, its documents, once accepted its
    receipt number, appointment date and a QR code of ``lookup_url``, and the issued
    document's verification code and QR code (``verification``), if given."""
    _same_service(service, dossier)
    receipt = dossier.receipt_number
    identity = f"Hồ sơ {dossier.id}" + (f" · Số biên nhận {receipt}" if receipt else "") + f" · Thủ tục {service.info.code}"
    return _document(
        service, "dossier",
        title=f"{service.title} — hồ sơ {receipt or dossier.id}",
        identity=identity,
        fields=display_fields(service.form_schema, dossier.data, ids=False),
        documents=_documents(service, dossier),
        place_date=_long_date(dossier.submitted_at or dossier.created_at),
        signer=dossier.applicant_name,
        status=STATUS_LABELS.get(dossier.status, str(dossier.status)),
        receipt=_receipt_facts(dossier, lookup_url) if receipt else None,
        log_seal=log_chain.last_hash(dossier),
        verification=verification,
    )


def render_blank_html(service: Service) -> str:
    """The level-2 download ("Tải về các biểu mẫu"): the same layout, to fill by hand."""
    return _document(
        service, "blank",
        title=f"{service.title} (mẫu để điền)",
        identity=f"Thủ tục {service.info.code} · {service.info.name} · Biểu mẫu để điền tay",
        fields=display_fields(service.form_schema, None, blank=True, ids=False),
        documents=_documents(service, None),
        place_date=BLANK_DATE,
    )


def render_sample_html(service: Service) -> str:
    """The "hồ sơ mẫu": the service's sample, watermarked MẪU on every page."""
    return _document(
        service, "sample",
        title=f"{service.title} — hồ sơ mẫu",
        identity=f"Thủ tục {service.info.code} · Hồ sơ mẫu để tham khảo, không dùng để nộp",
        fields=display_fields(service.form_schema, service.sample, ids=False),
        documents=_documents(service, None),
        place_date=BLANK_DATE,
        watermark=True,
    )


def render_receipt_html(service: Service, dossier: Dossier, clerk_name: str, lookup_url: str | None,
                        place: str = "", verification: Verification | None = None) -> str:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01, ``renderers.slips``): for an
    accepted dossier only. ``place``: the place name before the date, if known."""
    _same_service(service, dossier)
    if not dossier.receipt_number or dossier.appointment_date is None:
        raise ValueError(f"hồ sơ {dossier.id} chưa được tiếp nhận: chưa có số biên nhận và ngày hẹn")
    accepted = _vn(dossier.accepted_at) if dossier.accepted_at else None
    return _render(
        "pdf/receipt.html",
        kind="receipt",
        title=f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {dossier.receipt_number}",
        identity=f"Giấy tiếp nhận · Số biên nhận {dossier.receipt_number} · Hồ sơ {dossier.id}",
        service=service,
        info=service.info,
        terms=service.terms_for(dossier.data, dossier.method),  # the dossier's own case and method
        dossier=dossier,
        clerk_name=clerk_name,
        documents=[d for d in _documents(service, dossier) if d.received],
        accepted_time=f"{accepted:%H} giờ {accepted:%M} phút, ngày {accepted:%d/%m/%Y}" if accepted else "",
        place_date=place_date(place, dossier.accepted_at),
        receipt=_receipt_facts(dossier, lookup_url),
        watermark=False,
        verification=verification,
    )


# -- the PDFs ---------------------------------------------------------------------------

def render_dossier_pdf(service: Service, dossier: Dossier, lookup_url: str | None,
                       verification: Verification | None = None) -> bytes:
    with _timed("dossier"):
        return html_to_pdf(render_dossier_html(service, dossier, lookup_url, verification),
                           attachments=[dossier_attachment(service, dossier)])


def render_blank_pdf(service: Service) -> bytes:
    with _timed("blank"):
        return html_to_pdf(render_blank_html(service))


def render_sample_pdf(service: Service) -> bytes:
    with _timed("sample"):
        return html_to_pdf(render_sample_html(service))


def render_receipt_pdf(service: Service, dossier: Dossier, clerk_name: str, lookup_url: str | None,
                       place: str = "", verification: Verification | None = None) -> bytes:
    with _timed("receipt"):
        return html_to_pdf(render_receipt_html(service, dossier, clerk_name, lookup_url, place, verification))


def lookup_url_for(base_url: str, receipt_number: str) -> str:
    """The public status page of a dossier (what its QR code opens)."""
    return f"{base_url.rstrip('/')}/tra-cuu/{quote(receipt_number, safe='')}"


def verify_url_for(base_url: str, code: str) -> str:
    """The public verification page of an issued document by its code (web.verify.by_code)."""
    return f"{base_url.rstrip('/')}/kiem-tra-van-ban/ma/{quote(code, safe='')}"


@dataclass(frozen=True)
class Verification:
    """What an issued document prints to be checked: its code (engine.documents.new_code) and
    the address of the verification page for it, as a QR code and in text."""

    code: str
    url: str

    @classmethod
    def of(cls, base_url: str, code: str) -> Verification:
        return cls(code, verify_url_for(base_url, code))

    @property
    def grouped(self) -> str:
        return grouped_code(self.code)

    @property
    def qr(self) -> Markup:
        return qr_svg(self.url, title=f"Mã QR kiểm tra văn bản, mã kiểm tra {self.grouped}: {self.url}")


def html_to_pdf(html: str, attachments: list[Attached] | tuple[Attached, ...] = ()) -> bytes:
    """One of the ``render_*_html`` results as a PDF/A-3a (tagged, PDF/UA-1) with the
    process's shared printer; ``attachments`` embedded as associated files (Data)."""
    return printer().write_pdf(html, attachments)


# -- what the PDF carries for machines ---------------------------------------------------

DOSSIER_JSON_FORMAT = "dichvucong/ho-so/1"


@dataclass(frozen=True)
class Attached:
    """A file embedded in a PDF: its name (its type follows from the ending), text, description."""

    name: str
    text: str
    description: str


def dossier_attachment(service: Service, dossier: Dossier) -> Attached:
    """:func:`dossier_json` as the file the printed dossier carries."""
    text = json.dumps(dossier_json(service, dossier), ensure_ascii=False, indent=1)
    return Attached(dossier_json_name(dossier), text,
                    f"Dữ liệu hồ sơ {dossier.id} (JSON, để hệ thống khác đọc)")


def dossier_json_name(dossier: Dossier) -> str:
    return f"ho-so-{dossier.id}.json"


def dossier_json(service: Service, dossier: Dossier) -> dict[str, Any]:
    """What the printed dossier says, for a machine: the form's data as the dossier holds it,
    the service (code, slug, version), the dossier's identity, dates and status, its
    documents, and the processing log's hashes (engine.log_chain; no notes, no names).
    The ID number is there because the dossier's own data and the page hold it anyway."""
    raw = dossier.model_dump(mode="json")
    return {
        "format": DOSSIER_JSON_FORMAT,
        "service": {"code": service.info.code, "slug": service.slug, "version": dossier.service_version,
                    "name": service.info.name, "agency": {"code": service.info.agency.code,
                                                          "name": service.info.agency.name}},
        "dossier": {key: raw[key] for key in (
            "id", "receipt_number", "status", "method", "applicant_name", "applicant_id_number",
            "created_at", "submitted_at", "accepted_at", "appointment_date", "completed_at", "returned_at")},
        "status_label": STATUS_LABELS.get(dossier.status, str(dossier.status)),
        "data": raw["data"],
        "checklist": raw["checklist"],
        "attachments": {doc: {key: file[key] for key in ("filename", "media_type", "size", "sha256")}
                        for doc, file in raw["attachments"].items()},
        "log": [{"at": entry["at"], "action": entry["action"], "status_to": entry["status_to"],
                 "prev_hash": entry["prev_hash"], "data_hash": entry["data_hash"], "hash": entry["hash"]}
                for entry in raw["log"]],
        "log_seal": log_chain.last_hash(dossier),
    }


def standalone_html(html: str) -> str:
    """``html`` with the print stylesheet inlined, to look at in a browser (``--format html``)."""
    css = PRINT_CSS.read_text(encoding="utf-8").replace("</", "<\\/")
    return html.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)


# -- WeasyPrint, once per process ---------------------------------------------------------

class _Printer:
    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        check_fonts()  # a missing font fails here with the package to install, not as a fallback
        self.fetcher = PrintFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=PRINT_CSS.read_text(encoding="utf-8"), font_config=self.font_config,
                              url_fetcher=self.fetcher)
        self.lock = threading.Lock()  # WeasyPrint's font configuration is not meant for threads

    def write_pdf(self, html: str, attachments: list[Attached] | tuple[Attached, ...] = ()) -> bytes:
        from weasyprint import HTML, Attachment

        with self.lock:
            document = HTML(string=html, url_fetcher=self.fetcher, base_url=None)
            files = [Attachment(string=a.text, name=a.name, description=a.description, relationship="Data",
                                url_fetcher=self.fetcher) for a in attachments]
            return document.write_pdf(stylesheets=[self.stylesheet], font_config=self.font_config,
                                      pdf_variant=PDF_VARIANT, attachments=files, finisher=_also_pdf_ua)


PDF_VARIANT: str | None = "pdf/a-3a"  # PDF/A-3, level A: tagged; PDF/A-3 allows embedded files of any type
# The PDF/UA-1 identification, and the extension schema PDF/A asks for a namespace it does not
# predefine (ISO 19005-3, 6.6.2.3). WeasyPrint writes one <rdf:RDF>: these go inside it.
_PDF_UA_XMP = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b'<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    b'<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    b'<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b'<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    b'<pdfaProperty:category>internal</pdfaProperty:category>'
    b'<pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>'
    b'</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'
)


def _also_pdf_ua(document: Any, pdf: Any) -> None:
    """WeasyPrint's finisher: the PDF/UA-1 claim in the XMP, and the catalog's /AF once per file
    (WeasyPrint 70 lists each embedded file twice)."""
    import pydyf

    if "Metadata" not in pdf.catalog:  # no variant (bench/pdf.py's plain PDF, for contrast)
        return
    reference = pdf.catalog["Metadata"]  # b"510 0 R"
    metadata = pdf.objects[int(bytes(reference).split()[0] if isinstance(reference, bytes) else reference.split()[0])]
    metadata.stream = [chunk.replace(b"</rdf:RDF>", _PDF_UA_XMP + b"</rdf:RDF>", 1) for chunk in metadata.stream]
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


_printer: _Printer | None = None
_printer_lock = threading.Lock()


def printer() -> _Printer:
    global _printer
    if _printer is None:
        with _printer_lock:
            if _printer is None:
                _printer = _Printer()
    return _printer


# -- pieces ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRow:
    name: str
    quantity: str
    note: str
    status: str  # for a dossier: attached, brought on paper, this form, missing
    received: bool  # listed on the receipt slip


def _documents(service: Service, dossier: Dossier | None) -> list[DocumentRow]:
    rows = []
    for doc in service.documents:
        status, received = "", False
        if dossier is not None:
            attachment = dossier.attachments.get(doc.id)
            if doc.from_form:
                status, received = "Biểu mẫu này (Biểu mẫu nhập liệu)", True
            elif attachment is not None:
                status, received = f"Đã đính kèm tệp: {attachment.filename}", True
            elif doc.id in dossier.checklist:
                status, received = "Mang bản giấy khi nhận kết quả (đã chọn trong “Chọn thông tin bạn có”)", True
            else:
                status = "Chưa có" if doc.mandatory else "Không nộp"
        quantity = doc.quantity_text + ("" if doc.mandatory else " (nếu có)")
        rows.append(DocumentRow(doc.name, quantity, doc.note, status, received))
    return rows


def _receipt_facts(dossier: Dossier, lookup_url: str | None) -> dict[str, Any]:
    return {
        "number": dossier.receipt_number,
        "accepted": _short_date(dossier.accepted_at) if dossier.accepted_at else "",
        "appointment": _short_date(dossier.appointment_date) if dossier.appointment_date else "",
        "lookup_url": lookup_url or "",
        "qr": qr_svg(lookup_url) if lookup_url else None,
    }


def qr_svg(url: str, title: str = "") -> Markup:
    """The QR code of ``url`` as inline SVG (one path): vector, a few hundred bytes, no fetch."""
    code = segno.make(url, error="m", micro=False)
    # The <title> is the figure's alternate text in the tagged PDF (read aloud, never printed).
    return Markup(code.svg_inline(border=4, omitsize=True, dark="#000", light=None,
                                  title=title or f"Mã QR tra cứu tình trạng hồ sơ: {url}"))


def _document(service: Service, kind: str, **context: Any) -> str:
    context.setdefault("watermark", False)
    context.setdefault("receipt", None)
    context.setdefault("signer", "")
    context.setdefault("status", "")
    context.setdefault("log_seal", None)  # the processing log's last hash (engine.log_chain)
    description = service.form_schema.get("description")
    return _render(
        "pdf/document.html", kind=kind, grouped=log_chain.grouped, service=service, info=service.info,
        subtitle=description if isinstance(description, str) else "", **context,
    )


def _render(template: str, **context: Any) -> str:
    context.setdefault("verification", None)  # the issued document's code and QR (pdf/base.html)
    html = _env.get_template(template).render(**context)
    # One spelling for every letter: a name typed with combining accents (NFD) prints
    # and copies as the same precomposed letters as everything else.
    return unicodedata.normalize("NFC", html)


def _same_service(service: Service, dossier: Dossier) -> None:
    if dossier.service != service.slug:
        raise ValueError(f"hồ sơ {dossier.id} thuộc dịch vụ {dossier.service!r}, không phải {service.slug!r}")


def _vn(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VIETNAM) if moment.tzinfo else moment


def _short_date(value: dt.date | dt.datetime) -> str:
    day = _vn(value) if isinstance(value, dt.datetime) else value
    return f"{day:%d/%m/%Y}"


def place_date(place: str, value: dt.date | dt.datetime | None) -> str:
    """"Vị Thanh, ngày 02 tháng 12 năm 2026"; without a place, the date alone."""
    if not place or value is None:
        return _long_date(value)
    return f"{place}, n{_long_date(value)[1:]}"


def _long_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return BLANK_DATE
    day = _vn(value) if isinstance(value, dt.datetime) else value
    return f"Ngày {day:%d} tháng {day:%m} năm {day:%Y}"
