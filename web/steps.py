"""A long form in steps (``"x-steps": true`` beside the root's ``x-sections``): the
create and update pages of such a service, one section at a time, without JavaScript.

Every step's page posts the whole form: the section of the step is shown, the other
sections' controls are rendered hidden (``renderers.html.render_form_parts(step=...)``),
so nothing is kept on the server between steps and an unsaved dossier needs no session.
"Tiếp tục" checks the section being left (only its errors are shown); "Quay lại" and
"Sửa" move without checking; the last step, "Xem lại", shows every answer with "Chọn
thông tin bạn có" and (for a saved dossier) the uploads, and its "Lưu lại" runs the
full checks and the ordinary save of ``web.dossiers``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import lifecycle
from engine.catalog import Service
from engine.dossier import STATUS_LABELS, Dossier
from engine.form_model import form_model
from engine.forms import ACTION, apply_action, parse_form
from engine.lifecycle import LifecycleError
from engine.pointers import split
from engine.prefill import prefill
from engine.repository import ConflictError
from engine.validation import FieldError
from operations import dossiers as operations
from renderers.html import display_section, render_form_parts
from web import resources

STEP = "~step"  # hidden: the index of the step the page showed
GO = "~go"  # the button pressed: next, back, edit:<index>, save; "enter": the Enter key


def stepped(service: Service) -> bool:
    schema = service.form_schema
    return isinstance(schema, dict) and schema.get("x-steps") is True and len(_sections(service)) >= 2


def _sections(service: Service):
    return form_model(service.form_schema).root.sections


def _step_of(service: Service, error: FieldError) -> int | None:
    """The section holding an error's field (None for an error on the whole form)."""
    try:
        tokens = split(error.path) if error.path else []
    except ValueError:
        return None
    if not tokens:
        return None
    for i, section in enumerate(_sections(service)):
        if any(f.name == tokens[0] for f in section.fields):
            return i
    return None


def _page(service: Service, data: Any, checklist: list[str], step: int, errors: list[FieldError] | None = None,
          dossier: Dossier | None = None, unticked: list[str] | None = None,
          upload_errors: dict[str, str] | None = None, status: int = 200):
    from web import dossiers as pages  # the ordinary page's helpers (imported late: it imports this module)

    sections = _sections(service)
    review = len(sections)
    checklist_error = _("Chưa đánh dấu giấy tờ bắt buộc (*) trong “Chọn thông tin bạn có”: %(documents)s",
                        documents="; ".join(unticked)) if unticked else ""
    outside = [(pages.CHECKLIST_ANCHOR, checklist_error)] if checklist_error else None
    summary_html, form_html = render_form_parts(service.form_schema, data, errors, outside, step=step)
    answers = [(s.title, display_section(service.form_schema, data, i)) for i, s in enumerate(sections)] \
        if step == review else []
    return render_template(
        "dossiers/steps.html", service=service, dossier=dossier, step=step, review=review,
        titles=[s.title for s in sections] + [_("Xem lại")], section=sections[step] if step < review else None,
        summary_html=summary_html, form_html=form_html, answers=answers, checklist=checklist,
        checklist_error=checklist_error, checklist_anchor=pages.CHECKLIST_ANCHOR, upload_errors=upload_errors or {},
        status_labels=STATUS_LABELS, actions=pages._actions(dossier) if dossier else frozenset(),
        desk_request=lifecycle.desk_request(dossier, resources.workflow()) if dossier else None), status


def _posted_step(service: Service) -> int:
    try:
        step = int(request.form.get(STEP, "0"))
    except ValueError:
        step = 0
    return min(max(step, 0), len(_sections(service)))


def _moved(service: Service, data: Any, checklist: list[str], dossier: Dossier | None):
    """The page a step's button leads to, or None for "Lưu lại" (the caller saves)."""
    step, go = _posted_step(service), request.form.get(GO, "next")
    review = len(_sections(service))
    action = request.form.get(ACTION)
    if action:  # a row button, "refresh the wards": the same step again
        return _page(service, apply_action(service.form_schema, data, action), checklist, step, dossier=dossier)
    if go == "back":
        return _page(service, data, checklist, max(step - 1, 0), dossier=dossier)
    if go.startswith("edit:"):
        wanted = go.removeprefix("edit:")
        target = int(wanted) if wanted.isdigit() and int(wanted) < review else step
        return _page(service, data, checklist, target, dossier=dossier)
    if step == review:  # "Lưu lại", or Enter (the page's first, hidden button, "enter")
        return None if go in ("save", "enter") else _page(service, data, checklist, step, dossier=dossier)
    errors = [e for e in service.validate(data) if _step_of(service, e) == step]
    if errors:
        return _page(service, data, checklist, step, errors, dossier=dossier, status=422)
    return _page(service, data, checklist, step + 1, dossier=dossier)


def _refused(service: Service, data: Any, checklist: list[str], errors: list[FieldError], unticked: list[str],
             dossier: Dossier | None = None, upload_errors: dict[str, str] | None = None):
    """The full check failed at "Lưu lại": the first step with errors, with its errors
    (the review page when only the checklist or an error on the whole form is left)."""
    review = len(_sections(service))
    first = min((s for s in (_step_of(service, e) for e in errors) if s is not None), default=review)
    shown = [e for e in errors if _step_of(service, e) == (first if first < review else None)]
    return _page(service, data, checklist, first, shown, dossier=dossier, status=422,
                 unticked=unticked if first == review else None, upload_errors=upload_errors)


def create(service: Service, profile: dict[str, Any], user):
    if request.method == "GET":
        return _page(service, prefill(service.form_schema, profile), [], 0)
    from web import dossiers as pages

    data = parse_form(service.form_schema, request.form, strict=True)
    checklist = request.form.getlist(pages.CHECKLIST)
    moved = _moved(service, data, checklist, None)
    if moved is not None:
        return moved
    try:
        dossier = operations.create(resources.portal(), service, user, data, checklist)
    except lifecycle.Incomplete as exc:
        return _refused(service, data, checklist, exc.errors, exc.unticked)
    except LifecycleError as exc:
        flash(exc.message, "error")
        return _page(service, data, checklist, len(_sections(service)), status=409)
    flash(_("Đã lưu hồ sơ. Một thư đã được gửi đến địa chỉ thư điện tử của bạn: hồ sơ chỉ có hiệu lực "
            "sau khi bạn nhấn vào liên kết xác nhận trong thư. Bạn có thể đính kèm giấy tờ ngay bây giờ."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))


def update(service: Service, dossier: Dossier, user):
    if request.method == "GET":
        return _page(service, dossier.data, dossier.checklist, 0, dossier=dossier)
    from web import dossiers as pages

    data = parse_form(service.form_schema, request.form, strict=True)
    checklist = request.form.getlist(pages.CHECKLIST)
    moved = _moved(service, data, checklist, dossier)
    if moved is not None:
        return moved
    try:
        updated = operations.update(resources.portal(), dossier, service, user, data, checklist,
                                    pages._uploads(service),
                                    [d.id for d in service.documents if request.form.get(pages.REMOVE + d.id)])
    except ConflictError:
        flash(_("Hồ sơ vừa được thay đổi ở nơi khác. Vui lòng mở lại hồ sơ rồi cập nhật."), "error")
        return redirect(url_for("dossiers.update", dossier_id=dossier.id))
    except LifecycleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dossiers.view", dossier_id=dossier.id))
    if updated.form_errors or updated.unticked:
        flash(_("Hồ sơ chưa được cập nhật: biểu mẫu còn lỗi cần sửa.") if updated.form_errors else
              _("Hồ sơ chưa được cập nhật: còn giấy tờ bắt buộc chưa đánh dấu."), "error")
        return _refused(service, data, checklist, updated.form_errors, updated.unticked, updated.dossier,
                        updated.upload_errors)
    if updated.upload_errors:
        flash(_("Hồ sơ đã được cập nhật, nhưng có tệp không được nhận (xem bên dưới)."), "error")
        return _page(service, updated.dossier.data, updated.dossier.checklist, len(_sections(service)),
                     dossier=updated.dossier, upload_errors=updated.upload_errors, status=422)
    flash(_("Cập nhật hồ sơ thành công."), "success")
    return redirect(url_for("dossiers.update", dossier_id=dossier.id))
