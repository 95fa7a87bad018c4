"""The one-stop desk's use case: take an action of the workflow table on a dossier.

Every desk action (accept, request more, reject, record the result, hand over, a new
appointment, and any row a deployment adds to the table) goes through :func:`act`:
load the dossier the clerk may see, keep the result file if one was posted, let
``engine.lifecycle`` check and apply the transition, save it with the version check,
and tell the citizen by e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import corrections, lifecycle
from engine.documents import RESULT
from engine.dossier import Actor, Attachment, Dossier
from engine.uploads import UploadRefused
from engine.workflow import InvalidTransition, NotFound, Transition
from operations.documents import record
from operations.dossiers import load
from operations.files import Upload, keep, keep_issued_pdf
from operations.portal import Portal

RESULT_FILE_MB = 10
RESULT_KINDS = ("pdf", "jpeg", "png")
RESULT_REASON = "Kết quả giải quyết thủ tục hành chính"  # the signature's reason on a result PDF


@dataclass(frozen=True)
class Posted:
    """What the clerk filled in on the action's form."""

    note: str = ""
    new_date: dt.date | None = None
    result_file: Upload | None = None
    marked: tuple[str, ...] = ()  # the items ticked to correct (engine.corrections.choices' keys)
    mark_notes: Mapping[str, str] = field(default_factory=dict)  # their notes, by key


def action_at(portal: Portal, slug: str) -> Transition:
    """The desk action at the address ``slug`` of the dossier page; NotFound if none."""
    transition = portal.workflow.by_slug(slug)
    if transition is None:
        raise NotFound()
    return transition


def act(portal: Portal, dossier_id: str, actor: Actor, action: str, posted: Posted,
        place: str = "", verification: Callable[[str], Any] | None = None) -> tuple[Dossier, str]:
    """Take ``action``; returns the stored dossier and the note the citizen was sent.

    An action that takes a result file, taken without one for a service that has an
    e-result (``ResultDocument``), issues the e-result: printed from the dossier with the
    clerk's text, then kept, signed and recorded as an uploaded result is. ``place``: the
    place name before its date; ``verification``: what it prints to be checked for a
    reserved code (renderers.pdf.Verification), as every document the desk prints."""
    dossier, service = load(portal, dossier_id, actor)
    transition = portal.workflow[action]
    result_file, signed, code = None, [], ""  # signed: whether the kept result PDF carries the agency's signature
    takes_file = any(i.kind == "file" for i in transition.inputs)

    def sign(pdf: bytes) -> bytes:
        out = _signed_result(portal, pdf, service.info.agency.code)
        signed.append(out != pdf)
        return out

    if posted.result_file is None and takes_file and service.info.result_document is not None:
        portal.workflow.check(dossier, actor, action, portal.now())  # nothing is printed for a refused action
        from renderers.e_result import render_e_result_pdf  # WeasyPrint: imported by the first print

        code = portal.documents.reserve_code() if verification is not None else ""
        pdf = render_e_result_pdf(service, dossier, posted.note.strip(), actor.name, portal.now(), place,
                                  verification(code) if code else None)
        result_file = keep_issued_pdf(portal, sign(pdf), "ket-qua")
    elif posted.result_file is not None and takes_file:
        portal.workflow.check(dossier, actor, action, portal.now())  # nothing is kept for a refused action
        result_file = keep(portal, posted.result_file, RESULT_KINDS, RESULT_FILE_MB, name="ket-qua", sign_pdf=sign)
    marks: tuple = ()
    if posted.marked and any(i.kind == "corrections" for i in transition.inputs):
        try:
            marks = tuple(corrections.marks(service, posted.marked, posted.mark_notes))
        except ValueError:
            raise InvalidTransition("Mục cần sửa không thuộc hồ sơ này") from None
    inputs = lifecycle.Inputs(note=posted.note, new_date=posted.new_date, result_file=result_file, corrections=marks)
    try:
        updated = lifecycle.take_desk_action(dossier, service, actor, action, portal.now(), inputs, portal.workflow)
        updated = portal.dossiers.update(updated)
    except Exception:
        _discard(portal, result_file)
        raise
    if result_file is not None and result_file.media_type == "application/pdf":  # as the citizen downloads it
        record(portal, result_file.sha256, kind=RESULT, title=RESULT_REASON, dossier_id=updated.id,
               agency=service.info.agency.code, agency_name=service.info.agency.name, signed=any(signed), code=code)
    note = updated.log[-1].note if any(i.name == "note" for i in transition.inputs) else ""
    owner = portal.users.get(updated.owner)
    if owner is not None:
        portal.notifier.desk_action(owner, updated, service, action, note)
    return updated, note


def _signed_result(portal: Portal, pdf: bytes, agency: str) -> bytes:
    """The result PDF as the citizen receives it: signed with the agency's key, if it has one."""
    from renderers.signing import SigningFailed

    try:
        return portal.sign(pdf, agency, RESULT_REASON)
    except SigningFailed as exc:
        raise UploadRefused(f"Tệp kết quả: {exc.message}. Chưa lưu kết quả; hãy thử lại.") from None


def _discard(portal: Portal, kept: Attachment | None) -> None:
    if kept is not None:
        portal.files.delete(kept.file_id)
