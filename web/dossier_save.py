"""Saving a citizen's dossier from a posted form, shared by the one-page form
(``web.dossiers``) and the form in steps (``web.steps``): the call to
``operations.dossiers``, then the same redirects and flash messages. Only the page shown
again differs; the caller gives it as ``page``, called with keywords only:

    page(data=..., checklist=..., dossier=..., errors=..., unticked=..., upload_errors=..., status=...)

(``errors`` and ``unticked``: what the full check refused; ``upload_errors``: the files
not taken; ``status``: the HTTP status of the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from engine import lifecycle
from engine.catalog import Service
from engine.dossier import Dossier
from engine.lifecycle import LifecycleError
from engine.repository import ConflictError
from operations import dossiers as operations
from operations.files import Upload
from web import resources, wallet

FILE = "~file/"
REMOVE = "~remove/"

Page = Callable[..., Any]


def uploads(service: Service) -> dict[str, Upload]:
    """The files posted for the service's document slots, each read to its limit plus one
    byte (so an oversized one is refused without being held whole), or the items picked
    for them from "Kho giấy tờ của tôi" (checked against the slot as an upload is)."""
    found = {}
    for document in service.documents:
        upload = request.files.get(FILE + document.id) if document.upload else None
        if upload is not None and upload.filename:
            limit = int(document.upload.max_size_mb * 1024 * 1024) + 1
            found[document.id] = Upload(upload.filename, upload.read(limit))
            wallet.keep_posted(document, found[document.id])
        elif document.upload and (chosen := wallet.picked(document)) is not None:  # from "Kho giấy tờ"
            found[document.id] = chosen
    return found


def removals(service: Service) -> list[str]:
    """The documents whose "Gỡ tệp này" was ticked."""
    return [d.id for d in service.documents if request.form.get(REMOVE + d.id)]


def create(service: Service, user, data: Any, checklist: list[str], page: Page):
    """"Lưu lại" of a new dossier: stored when complete, with the confirmation mail."""
    try:
        dossier = operations.create(resources.portal(), service, user, data, checklist)
    except lifecycle.Incomplete as exc:
        return page(data=data, checklist=checklist, dossier=None, errors=exc.errors, unticked=exc.unticked,
                    upload_errors=None, status=422)
    except LifecycleError as exc:
        flash(exc.message, "error")
        return page(data=data, checklist=checklist, dossier=None, errors=None, unticked=None, upload_errors=None,
                    status=409)
    flash(_("Đã lưu hồ sơ. Một thư đã được gửi đến địa chỉ thư điện tử của bạn: hồ sơ chỉ có hiệu lực "
            "sau khi bạn nhấn vào liên kết xác nhận trong thư. Bạn có thể đính kèm giấy tờ ngay bây giờ."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))


def update(service: Service, dossier: Dossier, user, data: Any, checklist: list[str], page: Page):
    """"Lưu lại" of a stored dossier: the posted files first (each kept at once), then the form."""
    try:
        updated = operations.update(resources.portal(), dossier, service, user, data, checklist,
                                    uploads(service), removals(service))
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác. Vui lòng mở lại hồ sơ rồi cập nhật."), "error")
        return redirect(url_for("dossiers.update", dossier_id=dossier.id))
    except LifecycleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if updated.form_errors or updated.unticked:
        flash(_("Hồ sơ chưa được cập nhật: biểu mẫu còn lỗi cần sửa.") if updated.form_errors else
              _("Hồ sơ chưa được cập nhật: còn giấy tờ bắt buộc chưa đánh dấu."), "error")
        return page(data=data, checklist=checklist, dossier=updated.dossier, errors=updated.form_errors,
                    unticked=updated.unticked, upload_errors=updated.upload_errors, status=422)
    if updated.upload_errors:
        flash(_("Hồ sơ đã được cập nhật, nhưng có tệp không được nhận (xem bên dưới)."), "error")
        return page(data=updated.dossier.data, checklist=updated.dossier.checklist, dossier=updated.dossier,
                    errors=None, unticked=None, upload_errors=updated.upload_errors, status=422)
    flash(_("Cập nhật hồ sơ thành công."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))


def save_draft(service: Service, user, data: Any, checklist: list[str], dossier: Dossier | None, page: Page,
               step: int | None = None):
    """"Lưu nháp": kept as typed, whatever the form's checks would say (they run at "Lưu lại").
    ``step``: of a form in steps, the step shown (1 = the first), where the dossier resumes."""
    try:
        saved = operations.save_draft(resources.portal(), service, user, data, checklist, dossier,
                                      uploads(service) if dossier else None, removals(service), step=step)
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác. Vui lòng mở lại hồ sơ rồi cập nhật."), "error")
        return redirect(url_for("dossiers.update", dossier_id=dossier.id) if dossier else url_for("dossiers.manage"))
    except LifecycleError as exc:
        flash(exc.message, "error")
        return page(data=data, checklist=checklist, dossier=dossier, errors=None, unticked=None, upload_errors=None,
                    status=409)
    if saved.upload_errors:
        flash(_("Đã lưu nháp, nhưng có tệp không được nhận (xem bên dưới)."), "error")
        return page(data=saved.dossier.data, checklist=saved.dossier.checklist, dossier=saved.dossier, errors=None,
                    unticked=None, upload_errors=saved.upload_errors, status=422)
    flash(_("Đã lưu nháp. Hồ sơ chưa hoàn thành: bạn có thể tiếp tục từ “Quản lý hồ sơ”; biểu mẫu được "
            "kiểm tra khi bạn nhấn “Lưu lại”."), "success")
    return redirect(url_for("dossiers.update", dossier_id=saved.dossier.id, buoc=step))
