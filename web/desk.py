"""The one-stop desk (Bộ phận một cửa): inbox, dossier page, actions, prints, CSV, figures.

Routes only. A clerk sees the dossiers of the agencies assigned to them (the workflow's
``can_view`` decides; another agency's dossier answers 404). The dossier page offers
the actions of the workflow table the clerk may take now, each as a form built from
the table's row (its inputs, its button, its question); posting one calls
``operations.desk.act``, which checks the role again, writes the log and e-mails the
citizen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import corrections
from engine.bounds import MAX_PAGE
from engine.dossier import RATING_LABELS, STATUS_LABELS, Dossier
from engine.lifecycle import LifecycleError, NotFound, appointment_if_accepted
from engine.workflow import Transition
from engine.repository import ConflictError
from engine.stats import months_until
from engine.uploads import UploadRefused
from engine.documents import PRINTED, RECEIPT
from operations import desk as operations
from operations import documents
from operations.files import Upload
from renderers.html import render_display
from web import resources
from web import statistics as stats_page
from web.auth import actor, current_user, roles_required
from web.found import dossier_or_404, version_or_404
from web.lookup import status_url
from web.slips import slip_place, slip_response, slips_for
from web.verify import verification

bp = Blueprint("desk", __name__, url_prefix="/mot-cua")

DESK = ("clerk", "admin")
PAGE_SIZE = 20
CONFIRMED = "xac-nhan"  # posted by the answer to an action's question


@bp.context_processor
def _desk_menu() -> dict:
    """What the desk's own menu (desk/layout.html) lists, on every desk page."""
    return {"desk_states": resources.workflow().desk_order, "status_labels": STATUS_LABELS}


def _agencies() -> list[str] | None:
    """None (every agency) for an administrator, else the clerk's own."""
    me = actor()
    return None if me.role == "admin" else sorted(me.agencies)


def _filters() -> dict[str, Any]:
    """The inbox filters from the query string; dates as typed (YYYY-MM-DD) or None."""
    workflow = resources.workflow()
    wanted = set(request.args.getlist("trang-thai"))
    statuses = [s for s in workflow.desk_order if s.value in wanted]
    return {
        "statuses": statuses or [s for s in workflow.desk_order if s in workflow.open],
        "service": request.args.get("dich-vu") or None,
        "submitted_from": _date(request.args.get("tu-ngay")),
        "submitted_to": _date(request.args.get("den-ngay")),
    }


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _today() -> dt.date:
    return resources.portal().now().date()


def _inbox(filters: dict[str, Any]) -> list[Dossier]:
    """Every dossier of the inbox (the CSV export), in the order of its pages: the repository's
    order by appointment. query() gives them in the order they were sent, which a stable
    sort keeps among dossiers of the same appointment date (or of none)."""
    found = resources.dossiers().query(agencies=_agencies(), **filters)
    # Soonest appointment first; not yet accepted (no appointment) after, oldest submission first.
    return sorted(found, key=lambda d: (d.appointment_date is None, d.appointment_date or dt.date.min))


def _with_filters(endpoint: str, **changes: Any) -> str:
    """A link to ``endpoint`` keeping every filter of this request, each chosen status
    included (``**request.args`` would keep only the first), with ``changes`` applied."""
    args = request.args.to_dict(flat=False) | {name: [str(value)] for name, value in changes.items()}
    return url_for(endpoint, **args)


PAGER_AROUND = 2  # pages linked on either side of the current one, besides the first and the last


def pager(page: int, pages: int) -> list[int | None]:
    """The page numbers the inbox links to: the first, the last and a few around ``page``;
    None where some are left out. At 100,000 dossiers an inbox has hundreds of pages, and a
    link to each cost more than the rest of the page."""
    shown = sorted({1, pages, *range(max(1, page - PAGER_AROUND), min(pages, page + PAGER_AROUND) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number == out[-1] + 2:  # one page left out: its link takes no more room than "…"
            out.append(number - 1)
        elif out and number > out[-1] + 2:
            out.append(None)
        out.append(number)
    return out


@bp.get("/")
@roles_required(*DESK)
def inbox():
    filters = _filters()
    repository, agencies = resources.dossiers(), _agencies()
    page = max(request.args.get("trang", 1, type=int), 1)
    beyond = page > MAX_PAGE  # a typed URL past the bound: only the total, then the last page
    found = repository.query_page(agencies=agencies, **filters, order="appointment",
                                  offset=0 if beyond else (page - 1) * PAGE_SIZE,
                                  limit=0 if beyond else PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    if beyond or page > pages:  # past the end (the list shrank, or a typed URL): the last page
        page = pages
        found = repository.query_page(agencies=agencies, **filters, order="appointment",
                                      offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template("desk/inbox.html", dossiers=list(found.items),
                           total=found.total, page=page, pages=pages, pager=pager(page, pages), filters=filters,
                           today=_today(),
                           is_overdue=resources.workflow().is_overdue, with_filters=_with_filters,
                           services=[s for s in resources.catalog().latest()
                                     if agencies is None or s.info.agency.code in agencies])


@bp.get("/xuat-csv")
@roles_required(*DESK)
def export_csv():
    today = _today()
    is_overdue = resources.workflow().is_overdue
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the Vietnamese as UTF-8
    writer = csv.writer(out)
    writer.writerow(["Số biên nhận", "Dịch vụ", "Người nộp", "Trạng thái", "Ngày nộp", "Ngày tiếp nhận",
                     "Ngày hẹn trả", "Ngày có kết quả", "Quá hạn"])
    for d in _inbox(_filters()):
        writer.writerow([
            d.receipt_number or "", version_or_404(d).info.name, d.applicant_name, STATUS_LABELS[d.status],
            _day(d.submitted_at), _day(d.accepted_at), _day(d.appointment_date), _day(d.completed_at),
            "Có" if is_overdue(d, today) else "",
        ])
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=ho-so-{today:%Y%m%d}.csv"
    return response


def _day(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


CHART_MONTHS = 12


@bp.get("/thong-ke")
@roles_required(*DESK)
def statistics():
    """Per service; and per month for one service (or all), as a chart with its table."""
    today = _today()
    found = stats_page.current(_agencies(), today)
    names = {s.slug: s.info.name for s in resources.catalog().latest()}
    chosen = request.args.get("dich-vu") or None
    if chosen not in {r.service for r in found.services}:
        chosen = None
    months = stats_page.by_month(found.months, months_until(today, CHART_MONTHS), chosen)
    name = names.get(chosen, chosen) if chosen else _("Tất cả dịch vụ")
    legend = {"received": _("Đã tiếp nhận"), "on_time": _("Đúng hạn"), "late": _("Trễ hạn"),
              "rejected": _("Từ chối"), "satisfaction": _("Mức độ hài lòng (1-5)")}
    svg = stats_page.chart(
        months, "chart-months", _("Hồ sơ theo tháng: %(name)s", name=name),
        _("Biểu đồ cột %(count)s tháng gần nhất: số hồ sơ đã tiếp nhận, đúng hạn, trễ hạn, từ chối mỗi tháng; "
          "đường: mức độ hài lòng trung bình (thang 1-5). Số liệu ở bảng dưới biểu đồ.", count=len(months)), legend)
    return render_template("desk/statistics.html", rows=found.services, names=names, months=months, chart=svg,
                           chosen=chosen, chart_name=name)


@bp.get("/thong-ke/xuat-csv")
@roles_required(*DESK)
def statistics_csv():
    """The figures per service and month, every month with something to count."""
    today = _today()
    names = {s.slug: s.info.name for s in resources.catalog().latest()}
    response = Response(stats_page.csv_text(stats_page.current(_agencies(), today).months, names),
                        mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=thong-ke-{today:%Y%m%d}.csv"
    return response


# -- one dossier -----------------------------------------------------------------------------------

@bp.get("/ho-so/<dossier_id>")
@roles_required(*DESK)
def dossier_page(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    portal = resources.portal()
    today = _today()
    return render_template("desk/dossier.html", dossier=dossier, service=service,
                           display=render_display(service.form_schema, dossier.data), status_labels=STATUS_LABELS,
                           action_labels=portal.workflow.labels, overdue=portal.workflow.is_overdue(dossier, today),
                           actions=portal.workflow.desk_actions(dossier, actor(), portal.now()), today=today,
                           slips=slips_for(dossier),
                           appointment=appointment_if_accepted(dossier, service, portal.now()),
                           rating_labels=RATING_LABELS, correction_choices=corrections.choices(service),
                           fix_note=FIX_NOTE)


FIX_NOTE = "corrections-note:"  # + an item's key: the note of an item ticked in "corrections"


def _posted() -> operations.Posted:
    """The action form's fields, as the table's inputs name them."""
    upload = request.files.get("result_file")
    result = None
    if upload is not None and upload.filename:
        result = Upload(upload.filename, upload.read(operations.RESULT_FILE_MB * 1024 * 1024 + 1))
    marked = tuple(request.form.getlist("corrections"))
    return operations.Posted(note=request.form.get("note", ""), new_date=_date(request.form.get("new_date")),
                             result_file=result, marked=marked,
                             mark_notes={k: request.form.get(FIX_NOTE + k, "") for k in marked})


@bp.post("/ho-so/<dossier_id>/<step>")
@roles_required(*DESK)
def act(dossier_id: str, step: str):
    """Take the action at ``step``; one whose row asks first shows its question, with what
    the clerk typed carried along, and is taken when that is answered."""
    portal = resources.portal()
    try:
        transition = operations.action_at(portal, step)
        if transition.confirm and request.form.get(CONFIRMED) != "1":
            return _ask(transition, dossier_id)
        operations.act(portal, dossier_id, actor(), transition.action, _posted(), place=slip_place(),
                       verification=verification)
    except NotFound:
        abort(404)
    except (LifecycleError, UploadRefused) as exc:
        flash(exc.message, "error")
        return redirect(url_for("desk.dossier_page", dossier_id=dossier_id)), 303
    except ConflictError:
        flash(_("Hồ sơ vừa được người khác xử lý; hãy xem lại trạng thái trước khi thao tác."), "error")
        return redirect(url_for("desk.dossier_page", dossier_id=dossier_id)), 303
    flash(_("%(action)s: đã lưu và đã báo cho người nộp qua thư điện tử.", action=_(transition.label)), "success")
    return redirect(url_for("desk.dossier_page", dossier_id=dossier_id)), 303


def _ask(transition: Transition, dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    typed = {i.name: request.form.get(i.name, "") for i in transition.inputs}
    portal = resources.portal()
    portal.workflow.check(dossier, actor(), transition.action, portal.now(), typed)  # never ask for a refusal
    return render_template("desk/confirm_action.html", dossier=dossier, service=service, transition=transition,
                           typed=typed, confirmed=CONFIRMED)


# -- prints ---------------------------------------------------------------------------------------

def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response


def _printing():
    """renderers.pdf, imported by the first print: WeasyPrint and Pango take half a second,
    which no other page of the portal needs (so not at every worker's start)."""
    from renderers import pdf

    return pdf


def _lookup_url(dossier: Dossier) -> str | None:
    return status_url(dossier.receipt_number) if dossier.receipt_number else None


@bp.get("/ho-so/<dossier_id>/ban-in.pdf")
@roles_required(*DESK)
def print_dossier(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    printing, url = _printing(), _lookup_url(dossier)
    # Reserve a code, print it with its QR code, sign, record (operations.documents.issue).
    pdf = documents.issue(resources.portal(),
                          lambda code: printing.render_dossier_pdf(service, dossier, url, verification(code)),
                          kind=PRINTED, title="Bản in hồ sơ", dossier_id=dossier.id,
                          agency=service.info.agency.code, agency_name=service.info.agency.name)
    return _pdf(pdf, f"ho-so-{dossier.id}.pdf")


@bp.get("/ho-so/<dossier_id>/bien-nhan.pdf")
@roles_required(*DESK)
def print_receipt(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    if dossier.receipt_number is None:
        abort(404)
    accepted_by = next((e.actor_name for e in reversed(dossier.log) if e.action == "accept"), current_user().full_name)
    printing, url, place = _printing(), _lookup_url(dossier), slip_place()
    pdf = documents.issue(resources.portal(),
                          lambda code: printing.render_receipt_pdf(service, dossier, accepted_by, url, place,
                                                                   verification(code)),
                          kind=RECEIPT, title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                          dossier_id=dossier.id, agency=service.info.agency.code,
                          agency_name=service.info.agency.name)
    return _pdf(pdf, f"bien-nhan-{dossier.receipt_number}.pdf")


@bp.get("/ho-so/<dossier_id>/phieu-xin-loi")
@roles_required(*DESK)
def apology(dossier_id: str):
    """The old address of the apology slip: now Mẫu số 04, a PDF."""
    return redirect(url_for("desk.print_slip", dossier_id=dossier_id, kind="xin-loi"))


@bp.get("/ho-so/<dossier_id>/phieu/<kind>.pdf")
@roles_required(*DESK)
def print_slip(dossier_id: str, kind: str):
    """A slip of renderers.slips (Mẫu số 01 to 05) the dossier has; 404 for one it has not."""
    return slip_response(dossier_id, kind)


@bp.post("/in-ho-so")
@roles_required(*DESK)
def print_selected():
    """The inbox's selection as one PDF (a few at the desk; `dichvucong print` for batches)."""
    from pypdf import PdfReader, PdfWriter

    agencies, chosen = {}, []
    for dossier_id in request.form.getlist("chon")[:50]:
        dossier = resources.dossiers().get(dossier_id)
        if dossier is None or not resources.workflow().can_view(dossier, actor()):
            continue
        service = version_or_404(dossier)
        agencies[service.info.agency.code] = service.info.agency.name
        chosen.append((dossier, service))
    if not chosen:
        flash(_("Chưa chọn hồ sơ nào để in."), "error")
        return redirect(url_for("desk.inbox")), 303
    printed = [dossier.id for dossier, _service in chosen]

    def render(code: str) -> bytes:
        """Every chosen dossier, each printed with the one code of the PDF they make together."""
        writer = PdfWriter()
        for dossier, service in chosen:
            pdf = _printing().render_dossier_pdf(service, dossier, _lookup_url(dossier), verification(code))
            for page in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    # One agency's dossiers: its signature; several agencies' together: none (but recorded all the same).
    pdf = documents.issue(resources.portal(), render, kind=PRINTED, title="Bản in hồ sơ", dossier_id=",".join(printed),
                          agency=",".join(sorted(agencies)),
                          agency_name=", ".join(agencies[a] for a in sorted(agencies)), sign=len(agencies) == 1)
    return _pdf(pdf, f"ho-so-{resources.portal().now():%Y%m%d-%H%M}.pdf")
