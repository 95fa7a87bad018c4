"""The one-stop desk (Bộ phận một cửa): inbox, dossier page, actions, prints, CSV, figures.

Routes only. A clerk sees the dossiers of the agencies assigned to them (the engine's
``can_view`` decides; another agency's dossier answers 404), and every action is a
function of ``engine.lifecycle`` that checks the role again and writes the log. Each
action e-mails the citizen.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter

from engine import lifecycle
from engine.catalog import Service
from engine.dossier import STATUS_LABELS, Attachment, Dossier, Status
from engine.lifecycle import LifecycleError
from engine.receipts import new_receipt_number
from engine.repository import ConflictError
from engine.stats import figures
from engine.uploads import UploadRefused, check
from engine.workdays import add_working_days
from renderers.html import render_display
from renderers.pdf import render_dossier_pdf, render_receipt_pdf
from web import notifications, resources
from web.auth import actor, current_user, roles_required
from web.dossiers import now
from web.lookup import status_url

bp = Blueprint("desk", __name__, url_prefix="/mot-cua")

DESK = ("clerk", "admin")
PAGE_SIZE = 20
OPEN = (Status.SUBMITTED, Status.PROCESSING, Status.SUPPLEMENT)
RESULT_FILE_MB = 10


def _agencies() -> list[str] | None:
    """None (every agency) for an administrator, else the clerk's own."""
    me = actor()
    return None if me.role == "admin" else sorted(me.agencies)


def _filters() -> dict[str, Any]:
    """The inbox filters from the query string; dates as typed (YYYY-MM-DD) or None."""
    wanted = request.args.getlist("trang-thai")
    statuses = [Status(s) for s in wanted if s in {x.value for x in Status} and s not in ("draft", "confirmed")]
    return {
        "statuses": statuses or list(OPEN),
        "service": request.args.get("dich-vu") or None,
        "submitted_from": _date(request.args.get("tu-ngay")),
        "submitted_to": _date(request.args.get("den-ngay")),
    }


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _inbox(filters: dict[str, Any]) -> list[Dossier]:
    """Every dossier of the inbox (the CSV export), in the order of its pages: the repository's
    "appointment" order. query() gives the "submitted" order, which a stable sort keeps
    among dossiers of the same appointment date (or of none)."""
    found = resources.dossiers().query(agencies=_agencies(), **filters)
    # Soonest appointment first; not yet accepted (no appointment) after, oldest submission first.
    return sorted(found, key=lambda d: (d.appointment_date is None, d.appointment_date or dt.date.min))


def _with_filters(endpoint: str, **changes: Any) -> str:
    """A link to ``endpoint`` keeping every filter of this request, each chosen status
    included (``**request.args`` would keep only the first), with ``changes`` applied."""
    args = request.args.to_dict(flat=False) | {name: [str(value)] for name, value in changes.items()}
    return url_for(endpoint, **args)


def _service_of(dossier: Dossier) -> Service:
    service = resources.catalog().version(dossier.service, dossier.service_version)
    if service is None:
        abort(404)
    return service


def _dossier(dossier_id: str) -> tuple[Dossier, Service]:
    try:
        dossier = lifecycle.ensure_visible(resources.dossiers().get(dossier_id), actor())
    except lifecycle.NotFound:
        abort(404)
    return dossier, _service_of(dossier)


@bp.get("/")
@roles_required(*DESK)
def inbox():
    filters = _filters()
    repository, agencies = resources.dossiers(), _agencies()
    page = max(request.args.get("trang", 1, type=int), 1)
    found = repository.query_page(agencies=agencies, **filters, order="appointment",
                                  offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    if page > pages:  # past the end (the list shrank, or a typed URL): the last page
        page = pages
        found = repository.query_page(agencies=agencies, **filters, order="appointment",
                                      offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template("desk/inbox.html", dossiers=list(found.items),
                           total=found.total, page=page, pages=pages, filters=filters, today=now().date(),
                           status_labels=STATUS_LABELS, is_overdue=lifecycle.is_overdue, with_filters=_with_filters,
                           services=[s for s in resources.catalog().latest()
                                     if agencies is None or s.info.agency.code in agencies])


@bp.get("/xuat-csv")
@roles_required(*DESK)
def export_csv():
    today = now().date()
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the Vietnamese as UTF-8
    writer = csv.writer(out)
    writer.writerow(["Số biên nhận", "Dịch vụ", "Người nộp", "Trạng thái", "Ngày nộp", "Ngày tiếp nhận",
                     "Ngày hẹn trả", "Ngày có kết quả", "Quá hạn"])
    for d in _inbox(_filters()):
        writer.writerow([
            d.receipt_number or "", _service_of(d).info.name, d.applicant_name, STATUS_LABELS[d.status],
            _day(d.submitted_at), _day(d.accepted_at), _day(d.appointment_date), _day(d.completed_at),
            "Có" if lifecycle.is_overdue(d, today) else "",
        ])
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=ho-so-{today:%Y%m%d}.csv"
    return response


def _day(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@bp.get("/thong-ke")
@roles_required(*DESK)
def statistics():
    everything = resources.dossiers().query(agencies=_agencies(), statuses=[s for s in Status
                                                                           if s not in ("draft", "confirmed")])
    rows = figures(everything, now().date())
    names = {s.slug: s.info.name for s in resources.catalog().latest()}
    return render_template("desk/statistics.html", rows=rows, names=names)


# -- one dossier -----------------------------------------------------------------------------------

@bp.get("/ho-so/<dossier_id>")
@roles_required(*DESK)
def dossier_page(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    today = now().date()
    return render_template("desk/dossier.html", dossier=dossier, service=service,
                           display=render_display(service.form_schema, dossier.data), status_labels=STATUS_LABELS,
                           action_labels=lifecycle.ACTION_LABELS, overdue=lifecycle.is_overdue(dossier, today),
                           can_reschedule=_can_reschedule(dossier), today=today)


def _can_reschedule(dossier: Dossier) -> bool:
    """The same rule as lifecycle.reschedule: from the working day before the appointment."""
    return (dossier.status == Status.PROCESSING and dossier.appointment_date is not None
            and add_working_days(now(), 1) >= dossier.appointment_date)


# Each action: (the engine's transition with this request's inputs, what the citizen is told).
def _accept(dossier, service, form):
    return lifecycle.accept(dossier, service, actor(), now(), new_receipt_number), ""


def _supplement(dossier, service, form):
    note = form.get("note", "")
    return lifecycle.request_supplement(dossier, actor(), note, now()), note.strip()


def _reject(dossier, service, form):
    reason = form.get("note", "")
    return lifecycle.reject(dossier, actor(), reason, now()), reason.strip()


def _result(dossier, service, form):
    result_file = _result_file()
    note = form.get("note", "")
    return lifecycle.record_result(dossier, actor(), note, now(), result_file), note.strip()


def _hand_over(dossier, service, form):
    return lifecycle.hand_over(dossier, actor(), now()), ""


def _reschedule(dossier, service, form):
    new_date = _date(form.get("new_date"))
    if new_date is None:
        raise LifecycleError(_("Cần chọn ngày hẹn mới"))
    updated = lifecycle.reschedule(dossier, actor(), new_date, form.get("note", ""), now())
    return updated, updated.log[-1].note


ACTIONS = {
    "tiep-nhan": ("accept", _accept),
    "yeu-cau-bo-sung": ("request_supplement", _supplement),
    "tu-choi": ("reject", _reject),
    "co-ket-qua": ("record_result", _result),
    "tra-ket-qua": ("hand_over", _hand_over),
    "hen-lai": ("reschedule", _reschedule),
}


def _result_file() -> Attachment | None:
    upload = request.files.get("result_file")
    if upload is None or not upload.filename:
        return None
    data = upload.read(RESULT_FILE_MB * 1024 * 1024 + 1)
    checked = check(data, ("pdf", "jpeg", "png"), RESULT_FILE_MB)
    return Attachment(file_id=resources.files().put(data), filename=f"ket-qua.{checked.kind.replace('jpeg', 'jpg')}",
                      media_type=checked.media_type, size=checked.size, sha256=hashlib.sha256(data).hexdigest(),
                      uploaded_at=now())


@bp.post("/ho-so/<dossier_id>/<step>")
@roles_required(*DESK)
def act(dossier_id: str, step: str):
    if step not in ACTIONS:
        abort(404)
    action, transition = ACTIONS[step]
    dossier, service = _dossier(dossier_id)
    try:
        updated, note = transition(dossier, service, request.form)
        updated = resources.dossiers().update(updated)
    except (LifecycleError, UploadRefused) as exc:
        flash(exc.message, "error")
        return redirect(url_for("desk.dossier_page", dossier_id=dossier.id)), 303
    except ConflictError:
        flash(_("Hồ sơ vừa được người khác xử lý; hãy xem lại trạng thái trước khi thao tác."), "error")
        return redirect(url_for("desk.dossier_page", dossier_id=dossier.id)), 303
    owner = current_app.extensions["users"].get(updated.owner)
    if owner is not None:
        notifications.desk_action(owner.email, owner.full_name, updated, service, action, note)
    flash(_("%(action)s: đã lưu và đã báo cho người nộp qua thư điện tử.", action=lifecycle.ACTION_LABELS[action]),
          "success")
    return redirect(url_for("desk.dossier_page", dossier_id=dossier.id)), 303


# -- prints ---------------------------------------------------------------------------------------

def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response


def _lookup_url(dossier: Dossier) -> str | None:
    return status_url(dossier.receipt_number) if dossier.receipt_number else None


@bp.get("/ho-so/<dossier_id>/ban-in.pdf")
@roles_required(*DESK)
def print_dossier(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    return _pdf(render_dossier_pdf(service, dossier, _lookup_url(dossier)), f"ho-so-{dossier.id}.pdf")


@bp.get("/ho-so/<dossier_id>/bien-nhan.pdf")
@roles_required(*DESK)
def print_receipt(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    if dossier.receipt_number is None:
        abort(404)
    accepted_by = next((e.actor_name for e in reversed(dossier.log) if e.action == "accept"), current_user().full_name)
    return _pdf(render_receipt_pdf(service, dossier, accepted_by, _lookup_url(dossier)),
                f"bien-nhan-{dossier.receipt_number}.pdf")


@bp.get("/ho-so/<dossier_id>/phieu-xin-loi")
@roles_required(*DESK)
def apology(dossier_id: str):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, from the log entry of the last new appointment."""
    dossier, service = _dossier(dossier_id)
    entry = next((e for e in reversed(dossier.log) if e.action == "reschedule"), None)
    if entry is None:
        abort(404)
    return render_template("desk/apology.html", dossier=dossier, service=service, entry=entry)


@bp.post("/in-ho-so")
@roles_required(*DESK)
def print_selected():
    """The inbox's selection as one PDF (a few at the desk; `dichvucong print` for batches)."""
    writer = PdfWriter()
    for dossier_id in request.form.getlist("chon")[:50]:
        dossier = resources.dossiers().get(dossier_id)
        if dossier is None or not lifecycle.can_view(dossier, actor()):
            continue
        pdf = render_dossier_pdf(_service_of(dossier), dossier, _lookup_url(dossier))
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
    if not writer.pages:
        flash(_("Chưa chọn hồ sơ nào để in."), "error")
        return redirect(url_for("desk.inbox")), 303
    out = io.BytesIO()
    writer.write(out)
    return _pdf(out.getvalue(), f"ho-so-{now():%Y%m%d-%H%M}.pdf")
