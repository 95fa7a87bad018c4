"""The citizen's dossiers: create, update with attachments, confirm, manage, delete, submit.

Routes only: each view parses the request, calls one function of ``operations.dossiers``
(which checks, through the workflow table, who may do what, and stores with the
repository's version check) and chooses the page. Which buttons a page shows comes from
``Workflow.allowed_actions``. A dossier that is not the user's answers 404, exactly like
one that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired

from engine import corrections, lifecycle
from engine.bounds import MAX_ROW
from engine.catalog import Service
from engine.dossier import MAX_RATING_COMMENT, RATING_LABELS, STATUS_LABELS, Attachment, Dossier, Status
from engine.forms import ACTION, apply_action, parse_form
from engine.lifecycle import LifecycleError
from engine.prefill import prefill
from engine.repository import ConflictError
from operations import dossiers as operations
from renderers.html import dom_id, render_display, render_form_parts
from web import dossier_save, rescue, resources
from web import statistics as stats_page
from web import steps
from web.auth import actor, current_user, login_required, session_ends
from web.found import dossier_or_404, service_or_404
from web.lookup import status_url
from web.served_files import file_response
from web.notifications import confirm_serializer
from web.page_cache import cached_page
from web.slips import slip_response, slips_for

bp = Blueprint("dossiers", __name__)

PAGE_SIZE = 10
CONFIRM_DAYS = 7
CHECKLIST = "~checklist"
DRAFT = "~draft"  # the "Lưu nháp" button: keep the form as it is, checked at "Lưu lại"


def _actions(dossier: Dossier) -> frozenset[str]:
    """The actions the signed-in user may take on ``dossier`` now: the page's buttons."""
    return resources.workflow().allowed_names(dossier, actor(), resources.portal().now())


def _profile() -> dict[str, Any]:
    user = current_user()
    return {"full_name": user.full_name, "id_number": user.id_number, "phone": user.phone, "email": user.email}


CHECKLIST_ANCHOR = "doc-checklist"


def _edit_page(service: Service, data: Any, checklist: list[str], errors=None, dossier: Dossier | None = None,
               upload_errors: dict[str, str] | None = None, status: int = 200, unticked: list[str] | None = None):
    checklist_error = _("Chưa đánh dấu giấy tờ bắt buộc (*) trong “Chọn thông tin bạn có”: %(documents)s",
                        documents="; ".join(unticked)) if unticked else ""
    marked = dossier.corrections if dossier else []  # returned for correction: only these may change
    summary_html, form_html = render_form_parts(service.form_schema, data, errors,
                                                [(CHECKLIST_ANCHOR, checklist_error)] if checklist_error else None,
                                                {c.pointer: c.note for c in marked if c.pointer} if marked else None)
    return render_template("dossiers/edit.html", service=service, dossier=dossier, form_html=form_html,
                           summary_html=summary_html, checklist_error=checklist_error,
                           checklist_anchor=CHECKLIST_ANCHOR,
                           checklist=checklist, errors=errors or [], upload_errors=upload_errors or {},
                           status_labels=STATUS_LABELS, actions=_actions(dossier) if dossier else frozenset(),
                           corrections=marked, fix_docs={c.document: c for c in marked if c.document},
                           fix_anchor=lambda c: dom_id(c.pointer) + "-fix-box",
                           general_note=corrections.general_note,
                           desk_request=lifecycle.desk_request(dossier, resources.workflow()) if dossier else None,
                           session_ends=_session_end()), status


def _session_end() -> dict[str, Any] | None:
    """When the session ends, for the form's notice, and the seconds left, for its script."""
    ends = session_ends()
    if ends is None:
        return None
    return {"at": ends, "seconds": max(int((ends - resources.portal().now()).total_seconds()), 0)}


def _rescued():
    """The fields of a post made after the session ended (web.rescue), back once after signing in."""
    kept = rescue.take(request.args.get(rescue.TOKEN), current_user().id, request.path)
    if kept is not None:
        flash(_("Biểu mẫu bạn đã gửi khi phiên đăng nhập kết thúc được khôi phục, chưa được lưu: hãy kiểm tra rồi "
                "nhấn “Lưu nháp” hoặc “Lưu lại”."), "success")
    return kept


def _posted() -> tuple[dict, list[str], str | None]:
    return request.form, request.form.getlist(CHECKLIST), request.form.get(ACTION)


# -- create ------------------------------------------------------------------------------

@bp.route("/dich-vu/<slug>/dang-ky-ho-so", methods=["GET", "POST"])
@login_required
def create(slug: str):
    service = service_or_404(slug)
    if not operations.accepting(resources.portal(), service):
        flash(_("Dịch vụ này không nhận hồ sơ trực tuyến."), "error")
        return redirect(url_for("services.service", slug=slug))
    if steps.stepped(service):  # a long form in steps (x-steps): web.steps
        return steps.create(service, _profile(), current_user())
    if request.method == "GET":
        kept = _rescued()
        if kept is not None:
            return _edit_page(service, parse_form(service.form_schema, kept, strict=True), kept.getlist(CHECKLIST))
        return _edit_page(service, prefill(service.form_schema, _profile()), [])
    fields, checklist, action = _posted()
    data = parse_form(service.form_schema, fields, strict=True)
    if action:  # a no-JavaScript button (add or remove a row, refresh the wards): show again
        return _edit_page(service, apply_action(service.form_schema, data, action), checklist)
    if request.form.get(DRAFT):
        return dossier_save.save_draft(service, current_user(), data, checklist, None, _edit_again(service))
    return dossier_save.create(service, current_user(), data, checklist, _edit_again(service))


# -- update, with attachments -----------------------------------------------------------------

@bp.route("/ho-so/<dossier_id>/cap-nhat", methods=["GET", "POST"])
@login_required
def update(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id, own=True)
    if "edit" not in _actions(dossier):
        flash(_("Hồ sơ đã nộp đến Bộ phận một cửa, không thể sửa."), "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if steps.stepped(service):
        return steps.update(service, dossier, current_user())
    if request.method == "GET":
        kept = _rescued()
        if kept is not None:
            return _edit_page(service, parse_form(service.form_schema, kept, strict=True), kept.getlist(CHECKLIST),
                              dossier=dossier)
        return _edit_page(service, dossier.data, dossier.checklist, dossier=dossier)
    fields, checklist, action = _posted()
    # Returned for correction: the unmarked (disabled, so unposted) values are the stored ones.
    data = corrections.corrected_data(dossier, parse_form(service.form_schema, fields, strict=True))
    checklist = corrections.corrected_checklist(dossier, checklist)
    if action:
        return _edit_page(service, apply_action(service.form_schema, data, action), checklist, dossier=dossier)
    if request.form.get(DRAFT):
        return dossier_save.save_draft(service, current_user(), data, checklist, dossier, _edit_again(service))
    return dossier_save.update(service, dossier, current_user(), data, checklist, _edit_again(service))


def _edit_again(service: Service):
    """The page ``web.dossier_save`` shows again: this form, with what was refused."""
    def page(*, data, checklist, dossier, errors, unticked, upload_errors, status):
        return _edit_page(service, data, checklist, errors, dossier=dossier, upload_errors=upload_errors,
                          status=status, unticked=unticked)
    return page


# -- confirmation by e-mail ------------------------------------------------------------------

@bp.get("/ho-so/xac-nhan/<token>")
def confirm(token: str):
    try:
        payload = confirm_serializer().loads(token, max_age=CONFIRM_DAYS * 86400)
    except SignatureExpired:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Liên kết xác nhận đã hết hạn. Bạn có thể lưu lại hồ sơ để nhận liên kết "
                                         "mới.")), 410
    except BadSignature:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Liên kết xác nhận không hợp lệ.")), 404
    try:
        confirmed, service = operations.confirm(resources.portal(), str(payload.get("d", "")),
                                                str(payload.get("o", "")))
    except lifecycle.NotFound:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Không tìm thấy hồ sơ (hồ sơ có thể đã bị xóa).")), 404
    except lifecycle.Incomplete:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Hồ sơ chưa hoàn thành (đã lưu nháp). Hãy mở hồ sơ và nhấn “Lưu lại”: "
                                         "khi biểu mẫu hợp lệ, một thư xác nhận mới sẽ được gửi cho bạn.")), 409
    return render_template("dossiers/confirm_result.html", ok=True, dossier=confirmed, service=service,
                           message=_("Hồ sơ đã được xác nhận. Bạn có thể nộp hồ sơ đến Bộ phận một cửa."))


# -- Quản lý hồ sơ ----------------------------------------------------------------------------

def _page_offset(page: int) -> int:
    """Where page ``page`` (1-based; a number below 1 or past MAX_ROW reads as the first or
    the last there can be) of "Quản lý hồ sơ" starts."""
    return (min(max(page, 1), MAX_ROW // PAGE_SIZE) - 1) * PAGE_SIZE


@bp.get("/quan-ly-ho-so")
@login_required
def manage():
    wanted = request.args.get("trang-thai")
    status = Status(wanted) if wanted in {s.value for s in Status} else None
    owner, asked = current_user().id, request.args.get("trang", 1, type=int)
    # The counts come first (a page number past the end shows the last page): a page
    # number that fits needs one call, one past the end a second.
    mine = resources.dossiers().owner_page(owner, status=status, offset=_page_offset(asked), limit=PAGE_SIZE)
    shown = mine.counts[status] if status is not None else mine.total
    pages = max(1, -(-shown // PAGE_SIZE))
    page = min(max(asked, 1), pages)
    if _page_offset(page) != mine.offset:
        mine = resources.dossiers().owner_page(owner, status=status, offset=_page_offset(page), limit=PAGE_SIZE)
    dossiers = list(mine.items)
    return render_template("dossiers/manage.html", dossiers=dossiers, total=mine.total, counts=mine.counts,
                           status=status, page=page, pages=pages, status_labels=STATUS_LABELS,
                           catalog=resources.catalog(), actions={d.id: _actions(d) for d in dossiers})


@bp.get("/ho-so/<dossier_id>")
@login_required
def view(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    return render_template("dossiers/view.html", dossier=dossier, service=service,
                           display=render_display(service.form_schema, dossier.data),
                           status_labels=STATUS_LABELS, action_labels=resources.workflow().labels,
                           actions=_actions(dossier), slips=slips_for(dossier), rating_labels=RATING_LABELS,
                           max_comment=MAX_RATING_COMMENT)


@bp.get("/ho-so/<dossier_id>/phieu/<kind>.pdf")
@login_required
def slip(dossier_id: str, kind: str):
    """A slip the desk made for this dossier and addressed to its applicant (web.slips)."""
    return slip_response(dossier_id, kind)


@bp.post("/ho-so/<dossier_id>/danh-gia")
@login_required
def rate(dossier_id: str):
    """Đánh giá mức độ hài lòng, from the dossier page's form (after the result, once)."""
    score = request.form.get("score", type=int)
    try:
        operations.rate(resources.portal(), dossier_id, current_user(), score, request.form.get("comment", ""))
    except lifecycle.NotFound:
        abort(404)
    except LifecycleError as exc:
        flash(exc.message, "error")
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng thử lại."), "error")
    else:
        stats_page.forget()
        flash(_("Cảm ơn bạn đã đánh giá mức độ hài lòng."), "success")
    return redirect(url_for("dossiers.view", dossier_id=dossier_id)), 303


@bp.get("/ho-so/<dossier_id>/tep/<doc_id>")
@login_required
def attachment(dossier_id: str, doc_id: str):
    dossier = dossier_or_404(dossier_id)[0]
    return _file_response(dossier.attachments.get(doc_id))


@bp.get("/ho-so/<dossier_id>/ket-qua")
@login_required
def result_file(dossier_id: str):
    dossier = dossier_or_404(dossier_id)[0]
    return _file_response(dossier.result_file)


def _file_response(attached: Attachment | None) -> Response:
    if attached is None:
        abort(404)
    return file_response(attached.file_id, attached.filename, attached.media_type)


@bp.get("/ho-so/<dossier_id>/ban-in.pdf")
@login_required
def print_pdf(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    from renderers.pdf import render_dossier_pdf  # WeasyPrint and Pango: 0.5 s, imported by the first print only

    lookup = status_url(dossier.receipt_number) if dossier.receipt_number else None
    response = Response(render_dossier_pdf(service, dossier, lookup), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename=ho-so-{dossier.id}.pdf"
    return response


# -- delete and submit, each after a confirmation ------------------------------------------------

@bp.route("/ho-so/<dossier_id>/xoa", methods=["GET", "POST"])
@login_required
def delete(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id)
    try:
        operations.check_delete(dossier, current_user())
    except LifecycleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if request.method == "GET":
        return render_template("dossiers/confirm_delete.html", dossier=dossier, service=service,
                               question=resources.workflow()["delete"].confirm)
    try:
        operations.delete(resources.portal(), dossier, current_user())
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng thử lại."), "error")
        return redirect(url_for("dossiers.manage"))
    flash(_("Đã xóa hồ sơ."), "success")
    return redirect(url_for("dossiers.manage"))


@bp.route("/ho-so/<dossier_id>/nop", methods=["GET", "POST"])
@login_required
def submit(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id, own=True)
    actions = _actions(dossier)
    sending = resources.workflow()[lifecycle.submit_action(dossier)]
    page = dict(dossier=dossier, service=service, status_labels=STATUS_LABELS, actions=actions, question=sending.confirm)
    if request.method == "GET" or sending.action not in actions:
        if request.method == "POST" and dossier.status in resources.workflow().waiting_for_desk:
            # The second click of a double click, or a resubmission already taken.
            flash(_("Hồ sơ đã được nộp đến Bộ phận một cửa."), "success")
            return redirect(url_for("dossiers.manage"))
        errors, missing, unticked = lifecycle.completeness(service, dossier)
        return render_template("dossiers/confirm_submit.html", errors=errors, missing=missing, unticked=unticked,
                               can_send=sending.action in actions, **page)
    try:
        sent = operations.submit(resources.portal(), dossier, service, current_user())[1]
    except lifecycle.Incomplete as exc:
        return render_template("dossiers/confirm_submit.html", errors=exc.errors, missing=exc.missing_documents,
                               unticked=exc.unticked, can_send=True, **page), 422
    except (ConflictError, LifecycleError):
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng thử lại."), "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if sent:
        flash(_("Đã nộp hồ sơ đến Bộ phận một cửa."), "success")
    else:  # a request racing this one sent it first
        flash(_("Hồ sơ đã được nộp đến Bộ phận một cửa."), "success")
    return redirect(url_for("dossiers.manage"))


# -- the sample ("Xem hồ sơ mẫu") ------------------------------------------------------------------

@bp.get("/dich-vu/<slug>/ho-so-mau")
@cached_page  # the catalogue's sample: the same for every anonymous visitor
def sample(slug: str):
    service = service_or_404(slug)
    return render_template("dossiers/sample.html", service=service,
                           display=render_display(service.form_schema, service.sample, sample=True))
