"""The one-stop desk's slips (Phụ lục I, Thông tư 03/2025/TT-VPCP guiding Nghị định 118/2025/NĐ-CP).

One row of :data:`SLIPS` per slip: its address, its Mẫu number and title, its template, the
log entry it is made from (the action, and whether that entry came before or after the
dossier was accepted) and who it is addressed to. Which slips a dossier has, and what each
prints, follow from that table and the processing log alone:

* 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả: the acceptance (the receipt, ``renderers.pdf``);
* 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: the latest request for more documents;
* 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ: a refusal of a dossier never accepted;
* 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết: the latest new appointment;
* 05 Thông báo dừng giải quyết hồ sơ: a refusal of a dossier already being processed.

Each ``render_*`` returns the HTML or the PDF bytes and nothing else (no signing, no
response), printed like every other PDF of ``renderers.pdf``: fonts only, nothing fetched.
The table imports without WeasyPrint (pages list the slips a dossier has); the printer is
imported by the first slip printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.catalog import Service
from engine.dossier import Dossier, LogEntry
from engine.lifecycle import read_reschedule_note
from renderers.timing import timed

if TYPE_CHECKING:
    from renderers.pdf import Verification

CIRCULAR = "Thông tư 03/2025/TT-VPCP"
APPLICANT = "applicant"  # the person who sent the dossier (the citizen's own dossier page offers it)


@dataclass(frozen=True)
class Slip:
    kind: str  # its address: /…/phieu/<kind>.pdf
    number: str  # Mẫu số, in Phụ lục I
    title: str
    template: str
    action: str  # the log entry it is made from (the latest such entry)
    accepted: bool | None  # that entry came after the acceptance (True), before it (False), either (None)
    addressee: str  # who it is written to
    filename: str  # the downloaded file's name, before the receipt number or the dossier id

    @property
    def form_number(self) -> str:
        return f"Mẫu số {self.number} (Phụ lục I, {CIRCULAR})"


SLIPS: dict[str, Slip] = {s.kind: s for s in (
    Slip("tiep-nhan", "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "pdf/receipt.html",
         "accept", None, APPLICANT, "giay-tiep-nhan"),
    Slip("yeu-cau-bo-sung", "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "pdf/slip_supplement.html",
         "request_supplement", None, APPLICANT, "phieu-yeu-cau-bo-sung"),
    Slip("tu-choi", "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "pdf/slip_refusal.html",
         "reject", False, APPLICANT, "phieu-tu-choi"),
    Slip("xin-loi", "04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", "pdf/slip_apology.html",
         "reschedule", True, APPLICANT, "van-ban-xin-loi"),
    Slip("dung-giai-quyet", "05", "Thông báo dừng giải quyết hồ sơ", "pdf/slip_stop.html",
         "reject", True, APPLICANT, "thong-bao-dung-giai-quyet"),
)}


def source_entry(slip: Slip, dossier: Dossier) -> LogEntry | None:
    """The log entry ``slip`` is made from: the latest entry of its action, made before or
    after the acceptance as the slip asks; None when the dossier has none."""
    found = None
    accepted = False
    for entry in dossier.log:
        if entry.action == slip.action and slip.accepted in (None, accepted):
            found = entry
        if entry.action == "accept":
            accepted = True  # the acceptance's own entry counts as before it: 01 has accepted=None
    return found


def available(dossier: Dossier, addressee: str | None = None) -> list[Slip]:
    """The slips ``dossier`` has (those addressed to ``addressee`` only, if given), by number."""
    return [s for s in SLIPS.values()
            if (addressee is None or s.addressee == addressee) and source_entry(s, dossier) is not None]


def filename(slip: Slip, dossier: Dossier) -> str:
    return f"{slip.filename}-{dossier.receipt_number or dossier.id}.pdf"


# -- the HTML and the PDF ---------------------------------------------------------------------

def render_slip_html(service: Service, kind: str, dossier: Dossier, lookup_url: str | None = None,
                     place: str = "", verification: Verification | None = None) -> str:
    """Slip ``kind`` of ``dossier``, with the issued document's verification code and QR code if
    given; KeyError for an unknown kind, LookupError when the dossier has no entry to make it from."""
    slip = SLIPS[kind]
    entry = source_entry(slip, dossier)
    if entry is None:
        raise LookupError(f"hồ sơ {dossier.id} không có {slip.title.lower()}")
    return _CONTEXTS.get(slip.kind, _notice)(service, slip, dossier, entry, lookup_url, place, verification)


def render_slip_pdf(service: Service, kind: str, dossier: Dossier, lookup_url: str | None = None,
                    place: str = "", verification: Verification | None = None) -> bytes:
    with timed(f"slip-{kind}"):
        return _pdf().html_to_pdf(render_slip_html(service, kind, dossier, lookup_url, place, verification))


Render = Callable[[Service, Slip, Dossier, LogEntry, "str | None", str, "Verification | None"], str]


def _receipt(service: Service, slip: Slip, dossier: Dossier, entry: LogEntry, lookup_url: str | None,
             place: str, verification: Verification | None) -> str:
    return _pdf().render_receipt_html(service, dossier, entry.actor_name, lookup_url, place=place,
                                      verification=verification)


def _notice(service: Service, slip: Slip, dossier: Dossier, entry: LogEntry, lookup_url: str | None,
            place: str, verification: Verification | None) -> str:
    """Slips 02 to 05: the heading, the dossier, the entry's note, the clerk."""
    pdf = _pdf()
    pdf._same_service(service, dossier)
    receipt = dossier.receipt_number if slip.accepted is not False else None
    reason, new_date, old_date = entry.note, None, None
    if slip.action == "reschedule":
        read = read_reschedule_note(entry.note)
        if read is not None:
            reason, new_date, old_date = read
    return pdf._render(
        slip.template, kind=f"slip slip-{slip.number}", slip=slip,
        title=f"{slip.title} — {receipt or dossier.id}",
        identity=f"{slip.title} · " + (f"Số biên nhận {receipt} · " if receipt else "") + f"Hồ sơ {dossier.id}",
        service=service, info=service.info, dossier=dossier, entry=entry, receipt_number=receipt,
        reason=reason, new_date=_day(new_date), old_date=_day(old_date),
        entry_date=pdf._short_date(entry.at),
        submitted=pdf._short_date(dossier.submitted_at) if dossier.submitted_at else "",
        accepted=pdf._short_date(dossier.accepted_at) if dossier.accepted_at else "",
        place_date=pdf.place_date(place, entry.at), watermark=False, verification=verification,
    )


def _pdf():
    from renderers import pdf  # WeasyPrint and Pango: imported by the first print only

    return pdf


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


_CONTEXTS: dict[str, Render] = {"tiep-nhan": _receipt}
