"""The citizen's dossiers: create, update with attachments, confirm, manage, delete, submit.

Routes only: every state change is a function of ``engine.lifecycle`` (which checks
who may do it), stored with the repository's version check. A dossier that is not the
user's answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine import lifecycle
from engine.accounts import to_actor
from engine.catalog import Service
from engine.dossier import STATUS_LABELS, Attachment, Dossier, Status
from engine.forms import ACTION, apply_action, parse_form
from engine.lifecycle import LifecycleError
from engine.prefill import prefill
from engine.repository import ConflictError
from engine.uploads import EXTENSIONS, UploadRefused, check
from renderers.html import render_display, render_form
from renderers.pdf import render_dossier_pdf
from web import notifications, resources
from web.auth import actor, current_user, login_required
from web.lookup import status_url

bp = Blueprint("dossiers", __name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 10
CONFIRM_DAYS = 7
CHECKLIST = "~checklist"
FILE = "~file/"
REMOVE = "~remove/"


def now() -> dt.datetime:
    """Vietnam time; tests set ``app.config["NOW"]`` to a callable to move the clock."""
    return current_app.config.get("NOW", lambda: dt.datetime.now(VIETNAM))()


def _service(slug: str) -> Service:
    service = resources.catalog().get(slug)
    if service is None:
        abort(404)
    return service


def _dossier(dossier_id: str) -> tuple[Dossier, Service]:
    """The dossier if the user may see it, else 404; and the version of the service it
    was created with (a later version never changes how a dossier reads or checks)."""
    try:
        dossier = lifecycle.ensure_visible(resources.dossiers().get(dossier_id), actor())
    except lifecycle.NotFound:
        abort(404)
    service = resources.catalog().version(dossier.service, dossier.service_version)
    if service is None:
        abort(404)
    return dossier, service


def _profile() -> dict[str, Any]:
    user = current_user()
    return {"full_name": user.full_name, "id_number": user.id_number, "phone": user.phone, "email": user.email}


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="dossier-confirm")


def _edit_page(service: Service, data: Any, checklist: list[str], errors=None, dossier: Dossier | None = None,
               upload_errors: dict[str, str] | None = None, status: int = 200):
    form_html = render_form(service.form_schema, data, errors)
    return render_template("dossiers/edit.html", service=service, dossier=dossier, form_html=form_html,
                           checklist=checklist, errors=errors or [], upload_errors=upload_errors or {},
                           status_labels=STATUS_LABELS), status


def _posted() -> tuple[dict, list[str], str | None]:
    return request.form, request.form.getlist(CHECKLIST), request.form.get(ACTION)


# -- create ------------------------------------------------------------------------------

@bp.route("/dich-vu/<slug>/dang-ky-ho-so", methods=["GET", "POST"])
@login_required
def create(slug: str):
    service = _service(slug)
    if not service.online or not resources.catalog().offered(slug):
        flash(_("Dịch vụ này không nhận hồ sơ trực tuyến."), "error")
        return redirect(url_for("services.service", slug=slug))
    if request.method == "GET":
        return _edit_page(service, prefill(service.form_schema, _profile()), [])
    fields, checklist, action = _posted()
    data = parse_form(service.form_schema, fields, strict=True)
    if action:  # a no-JavaScript button (add or remove a row, refresh the wards): show again
        return _edit_page(service, apply_action(service.form_schema, data, action), checklist)
    user = current_user()
    try:
        dossier = lifecycle.create(service, actor(), data, checklist, now(), applicant_id_number=user.id_number)
    except lifecycle.Incomplete as exc:
        return _edit_page(service, data, checklist, exc.errors, status=422)
    except LifecycleError as exc:
        flash(exc.message, "error")
        return _edit_page(service, data, checklist, status=409)
    dossier = resources.dossiers().add(dossier)
    token = _confirm_serializer().dumps({"d": dossier.id, "o": dossier.owner})
    notifications.dossier_saved(user.email, user.full_name, dossier, service,
                                url_for("dossiers.confirm", token=token, _external=True))
    flash(_("Đã lưu hồ sơ. Một thư đã được gửi đến địa chỉ thư điện tử của bạn: hồ sơ chỉ có hiệu lực "
            "sau khi bạn nhấn vào liên kết xác nhận trong thư. Bạn có thể đính kèm giấy tờ ngay bây giờ."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))


# -- update, with attachments -----------------------------------------------------------------

@bp.route("/ho-so/<dossier_id>/cap-nhat", methods=["GET", "POST"])
@login_required
def update(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    if dossier.owner != current_user().id:
        abort(404)
    if dossier.status not in lifecycle.CITIZEN_EDITABLE:
        flash(_("Hồ sơ đã nộp đến Bộ phận một cửa, không thể sửa."), "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if request.method == "GET":
        return _edit_page(service, dossier.data, dossier.checklist, dossier=dossier)
    fields, checklist, action = _posted()
    data = parse_form(service.form_schema, fields, strict=True)
    if action:
        return _edit_page(service, apply_action(service.form_schema, data, action), checklist, dossier=dossier)
    try:
        dossier, upload_errors = _apply_uploads(dossier, service)
        edited = lifecycle.edit(dossier, service, actor(), data, checklist, now())
    except lifecycle.Incomplete as exc:
        flash(_("Hồ sơ chưa được cập nhật: biểu mẫu còn lỗi cần sửa."), "error")
        return _edit_page(service, data, checklist, exc.errors, dossier=dossier, status=422)
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác. Vui lòng mở lại hồ sơ rồi cập nhật."), "error")
        return redirect(url_for("dossiers.update", dossier_id=dossier.id))
    except LifecycleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    resources.dossiers().update(edited)
    if upload_errors:
        flash(_("Hồ sơ đã được cập nhật, nhưng có tệp không được nhận (xem bên dưới)."), "error")
        return _edit_page(service, edited.data, edited.checklist, dossier=edited, upload_errors=upload_errors,
                          status=422)
    flash(_("Cập nhật hồ sơ thành công."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))


def _apply_uploads(dossier: Dossier, service: Service) -> tuple[Dossier, dict[str, str]]:
    """Attach the files posted for the service's document slots and remove the ticked ones;
    each change is stored at once, so a file is never lost to a form error elsewhere."""
    errors: dict[str, str] = {}
    files = resources.files()
    store = resources.dossiers()
    for document in service.documents:
        if document.upload is None:
            continue
        upload = request.files.get(FILE + document.id)
        if upload is not None and upload.filename:
            data = upload.read(int(document.upload.max_size_mb * 1024 * 1024) + 1)
            try:
                checked = check(data, document.upload.accept, document.upload.max_size_mb)
            except UploadRefused as exc:
                errors[document.id] = exc.message
                continue
            attachment = Attachment(file_id=files.put(data), filename=_safe_filename(upload.filename, checked.kind),
                                    media_type=checked.media_type, size=checked.size,
                                    sha256=hashlib.sha256(data).hexdigest(), uploaded_at=now())
            replaced = dossier.attachments.get(document.id)
            dossier = store.update(lifecycle.attach(dossier, service, actor(), document.id, attachment, now()))
            if replaced:
                files.delete(replaced.file_id)
        elif request.form.get(REMOVE + document.id) and document.id in dossier.attachments:
            removed = dossier.attachments[document.id]
            dossier = store.update(lifecycle.detach(dossier, service, actor(), document.id, now()))
            files.delete(removed.file_id)
    return dossier, errors


def _safe_filename(name: str, kind: str) -> str:
    """The name the citizen gave (for their eyes only), without a path, with the right ending."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:120] or "tep"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem + EXTENSIONS[kind]


# -- confirmation by e-mail ------------------------------------------------------------------

@bp.get("/ho-so/xac-nhan/<token>")
def confirm(token: str):
    try:
        payload = _confirm_serializer().loads(token, max_age=CONFIRM_DAYS * 86400)
    except SignatureExpired:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Liên kết xác nhận đã hết hạn. Bạn có thể lưu lại hồ sơ để nhận liên kết "
                                         "mới.")), 410
    except BadSignature:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Liên kết xác nhận không hợp lệ.")), 404
    dossier = resources.dossiers().get(payload.get("d", ""))
    owner = current_app.extensions["users"].get(payload.get("o", ""))
    if dossier is None or owner is None or dossier.owner != owner.id:
        return render_template("dossiers/confirm_result.html", ok=False,
                               message=_("Không tìm thấy hồ sơ (hồ sơ có thể đã bị xóa).")), 404
    confirmed = lifecycle.confirm(dossier, to_actor(owner), now())
    if confirmed is not dossier:
        resources.dossiers().update(confirmed)
    service = resources.catalog().version(dossier.service, dossier.service_version)
    return render_template("dossiers/confirm_result.html", ok=True, dossier=confirmed, service=service,
                           message=_("Hồ sơ đã được xác nhận. Bạn có thể nộp hồ sơ đến Bộ phận một cửa."))


# -- Quản lý hồ sơ ----------------------------------------------------------------------------

@bp.get("/quan-ly-ho-so")
@login_required
def manage():
    wanted = request.args.get("trang-thai")
    status = Status(wanted) if wanted in {s.value for s in Status} else None
    mine = resources.dossiers().list_by_owner(current_user().id)
    counts = {s: sum(1 for d in mine if d.status == s) for s in Status}
    shown = [d for d in mine if status is None or d.status == status]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(request.args.get("trang", 1, type=int), 1), pages)
    return render_template("dossiers/manage.html", dossiers=shown[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                           total=len(mine), counts=counts, status=status, page=page, pages=pages,
                           status_labels=STATUS_LABELS, catalog=resources.catalog(),
                           editable=lifecycle.CITIZEN_EDITABLE, deletable=lifecycle.CITIZEN_DELETABLE)


@bp.get("/ho-so/<dossier_id>")
@login_required
def view(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    return render_template("dossiers/view.html", dossier=dossier, service=service,
                           display=render_display(service.form_schema, dossier.data),
                           status_labels=STATUS_LABELS, action_labels=lifecycle.ACTION_LABELS,
                           editable=lifecycle.CITIZEN_EDITABLE, deletable=lifecycle.CITIZEN_DELETABLE)


@bp.get("/ho-so/<dossier_id>/tep/<doc_id>")
@login_required
def attachment(dossier_id: str, doc_id: str):
    dossier = _dossier(dossier_id)[0]
    return _file_response(dossier.attachments.get(doc_id))


@bp.get("/ho-so/<dossier_id>/ket-qua")
@login_required
def result_file(dossier_id: str):
    dossier = _dossier(dossier_id)[0]
    return _file_response(dossier.result_file)


def _file_response(attached: Attachment | None) -> Response:
    """An uploaded file, shown inline and never interpreted as a page of the portal."""
    if attached is None:
        abort(404)
    try:
        content = resources.files().read(attached.file_id)
    except KeyError:
        abort(404)
    response = Response(content, mimetype=attached.media_type)
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(attached.filename, safe='')}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/ho-so/<dossier_id>/ban-in.pdf")
@login_required
def print_pdf(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    lookup = status_url(dossier.receipt_number) if dossier.receipt_number else None
    response = Response(render_dossier_pdf(service, dossier, lookup), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename=ho-so-{dossier.id}.pdf"
    return response


# -- delete and submit, each after a confirmation ------------------------------------------------

@bp.route("/ho-so/<dossier_id>/xoa", methods=["GET", "POST"])
@login_required
def delete(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    try:
        lifecycle.delete(dossier, actor())
    except LifecycleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if request.method == "GET":
        return render_template("dossiers/confirm_delete.html", dossier=dossier, service=service)
    try:
        resources.dossiers().delete(dossier.id, dossier.version)
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng thử lại."), "error")
        return redirect(url_for("dossiers.manage"))
    for attached in dossier.attachments.values():
        resources.files().delete(attached.file_id)
    flash(_("Đã xóa hồ sơ."), "success")
    return redirect(url_for("dossiers.manage"))


@bp.route("/ho-so/<dossier_id>/nop", methods=["GET", "POST"])
@login_required
def submit(dossier_id: str):
    dossier, service = _dossier(dossier_id)
    if dossier.owner != current_user().id:
        abort(404)
    if dossier.status in (Status.SUBMITTED, Status.PROCESSING) and request.method == "POST":
        # The second click of a double click, or a resubmission already taken.
        flash(_("Hồ sơ đã được nộp đến Bộ phận một cửa."), "success")
        return redirect(url_for("dossiers.manage"))
    errors, missing = lifecycle.completeness(service, dossier)
    if request.method == "GET" or dossier.status not in (Status.CONFIRMED, Status.SUPPLEMENT):
        return render_template("dossiers/confirm_submit.html", dossier=dossier, service=service, errors=errors,
                               missing=missing, status_labels=STATUS_LABELS)
    try:
        submitted = lifecycle.submit(dossier, service, actor(), now())
        submitted = resources.dossiers().update(submitted)
    except lifecycle.Incomplete:
        return render_template("dossiers/confirm_submit.html", dossier=dossier, service=service, errors=errors,
                               missing=missing, status_labels=STATUS_LABELS), 422
    except ConflictError:
        # Another request (the first click) changed it: report what it is now.
        current = resources.dossiers().get(dossier.id)
        if current is not None and current.status in (Status.SUBMITTED, Status.PROCESSING):
            flash(_("Hồ sơ đã được nộp đến Bộ phận một cửa."), "success")
            return redirect(url_for("dossiers.manage"))
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng thử lại."), "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    user = current_user()
    notifications.dossier_submitted(user.email, user.full_name, submitted, service)
    flash(_("Đã nộp hồ sơ đến Bộ phận một cửa."), "success")
    return redirect(url_for("dossiers.manage"))


# -- the sample ("Xem hồ sơ mẫu") ------------------------------------------------------------------

@bp.get("/dich-vu/<slug>/ho-so-mau")
def sample(slug: str):
    service = _service(slug)
    return render_template("dossiers/sample.html", service=service,
                           display=render_display(service.form_schema, service.sample, sample=True))
