"""A long form in steps (``"x-steps": true`` beside the root's ``x-sections``): the
create and update pages of such a service, one section at a time, without JavaScript.

Every step's page posts the whole form: the section of the step is shown, the other
sections' controls are rendered hidden (``renderers.html.render_form_parts(step=...)``),
so nothing is kept on the server between steps and an unsaved dossier needs no session.
"Tiếp tục" checks the section being left (only its errors are shown); "Quay lại" and
"Sửa" move without checking; the last step, "Xem lại", shows every answer with "Chọn
thông tin bạn có" and (for a saved dossier) the uploads, and its "Lưu lại" runs the
full checks and the save shared with the one-page form (``web.dossier_save``).
"Lưu nháp", on every step, keeps the whole form as typed, unchecked, and the dossier
reopens at that step (``?buoc=N``, stored as ``Dossier.draft_step`` for "Quản lý hồ sơ").
A dossier returned for correction shows the desk's marks on each step and on the review,
the unmarked fields disabled; their stored values are carried from step to step
(``engine.corrections``), as the engine keeps them at the save.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from engine import corrections, lifecycle
from engine.catalog import Service
from engine.dossier import STATUS_LABELS, Dossier
from engine.form_model import form_model
from engine.forms import ACTION, apply_action, parse_form
from engine.pointers import split
from engine.prefill import prefill
from engine.validation import FieldError
from renderers.html import display_section, dom_id, render_form_parts
from web import dossier_save, resources

STEP = "~step"  # hidden: the index of the step the page showed
GO = "~go"  # the button pressed: next, back, edit:<index>, save; "enter": the Enter key
ASKED = "buoc"  # query parameter: the step (1 = the first) a saved dossier's page opens at


def stepped(service: Service) -> bool:
    schema = service.form_schema
    return isinstance(schema, dict) and schema.get("x-steps") is True and len(_sections(service)) >= 2


def _sections(service: Service):
    return form_model(service.form_schema).root.sections


def _step_of(service: Service, error: FieldError) -> int | None:
    """The section holding an error's field (None for an error on the whole form)."""
    return _step_of_pointer(service, error.path)


def _step_of_pointer(service: Service, pointer: str | None) -> int | None:
    """The section holding the field at a data pointer (None for the whole form)."""
    try:
        tokens = split(pointer) if pointer else []
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
    marked = dossier.corrections if dossier else []  # returned for correction: only these may change
    summary_html, form_html = render_form_parts(
        service.form_schema, data, errors, outside,
        {c.pointer: c.note for c in marked if c.pointer} if marked else None, step=step)
    # The step of each mark: a field's section; a document's, the review (its checklist and uploads).
    mark_steps = [(c, review if c.document else _step_of_pointer(service, c.pointer)) for c in marked]
    answers = [(s.title, display_section(service.form_schema, data, i), [c for c, at in mark_steps if at == i])
               for i, s in enumerate(sections)] if step == review else []
    return render_template(
        "dossiers/steps.html", service=service, dossier=dossier, step=step, review=review,
        titles=[s.title for s in sections] + [_("Xem lại")], section=sections[step] if step < review else None,
        summary_html=summary_html, form_html=form_html, answers=answers, checklist=checklist,
        checklist_error=checklist_error, checklist_anchor=pages.CHECKLIST_ANCHOR, upload_errors=upload_errors or {},
        status_labels=STATUS_LABELS, actions=pages._actions(dossier) if dossier else frozenset(),
        corrections=marked, mark_steps=mark_steps, fix_docs={c.document: c for c in marked if c.document},
        fix_anchor=lambda c: dom_id(c.pointer) + "-fix-box", general_note=corrections.general_note,
        desk_request=lifecycle.desk_request(dossier, resources.workflow()) if dossier else None,
        session_ends=pages._session_end()), status


def _asked_step(service: Service) -> int:
    """The step index ``?buoc=N`` asks for (1 = the first), bounded to the steps; the first
    step for a value that is not a number."""
    try:
        asked = int(request.args.get(ASKED, "1"))
    except ValueError:
        asked = 1
    return min(max(asked, 1), len(_sections(service)) + 1) - 1


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
    if go.startswith("edit:"):  # "Sửa" on the review page, or a mark's link: the step named
        wanted = go.removeprefix("edit:")
        target = int(wanted) if wanted.isdigit() and int(wanted) <= review else step
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


def _again(service: Service, step: int | None = None):
    """The page ``web.dossier_save`` shows again: the first step with errors when the full
    check refused (:func:`_refused`), else ``step`` (None: the review, its uploads' errors)."""
    def page(*, data, checklist, dossier, errors, unticked, upload_errors, status):
        if errors or unticked:
            return _refused(service, data, checklist, errors or [], unticked or [], dossier, upload_errors)
        shown = len(_sections(service)) if step is None else step
        return _page(service, data, checklist, shown, dossier=dossier, upload_errors=upload_errors, status=status)
    return page


def _draft(service: Service, user, data: Any, checklist: list[str], dossier: Dossier | None):
    """"Lưu nháp" on any step: the whole form as typed, resumed at this step."""
    step = _posted_step(service)
    return dossier_save.save_draft(service, user, data, checklist, dossier, _again(service, step), step=step + 1)


def create(service: Service, profile: dict[str, Any], user):
    if request.method == "GET":
        return _page(service, prefill(service.form_schema, profile), [], 0)
    from web import dossiers as pages

    data = parse_form(service.form_schema, request.form, strict=True)
    checklist = request.form.getlist(pages.CHECKLIST)
    if request.form.get(pages.DRAFT):
        return _draft(service, user, data, checklist, None)
    moved = _moved(service, data, checklist, None)
    if moved is not None:
        return moved
    return dossier_save.create(service, user, data, checklist, _again(service))


def update(service: Service, dossier: Dossier, user):
    if request.method == "GET":
        return _page(service, dossier.data, dossier.checklist, _asked_step(service), dossier=dossier)
    from web import dossiers as pages

    # Returned for correction: the unmarked (disabled, so unposted) values are the stored ones,
    # kept from step to step as the engine keeps them at the save.
    data = corrections.corrected_data(dossier, parse_form(service.form_schema, request.form, strict=True))
    checklist = corrections.corrected_checklist(dossier, request.form.getlist(pages.CHECKLIST))
    if request.form.get(pages.DRAFT):
        return _draft(service, user, data, checklist, dossier)
    moved = _moved(service, data, checklist, dossier)
    if moved is not None:
        return moved
    return dossier_save.update(service, dossier, user, data, checklist, _again(service))
