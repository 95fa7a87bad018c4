"""What each transition does to a dossier, beyond moving it: one function per action.

Whether an action may be taken (by whom, from which state, with which inputs) is the
table of ``engine.workflow``; each function here asks it (:meth:`Workflow.check`),
then returns an updated copy with an entry appended to the processing log (nhật ký xử
lý). Storing the copy, telling the citizen and choosing the clock are the operations'
job (``operations.dossiers``, ``operations.desk``).

Refusals are exceptions the web layer maps to responses: :class:`NotFound` (404:
not yours, or not your agency's; the same answer as a dossier that does not exist),
:class:`Forbidden` (403: your role may not do this), :class:`InvalidTransition`
(409: not in this state), :class:`Incomplete` (422: the form or uploads are not complete).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from engine import corrections as marks_of
from engine import log_chain
from engine.catalog import Service
from engine.dossier import (MAX_RATING_COMMENT, RATING_LABELS, Actor, Attachment, Correction, Dossier, LogEntry, Rating,
                            Status, new_id)
from engine.receipts import new_receipt_number
from engine.summary import summary_of
from engine.validation import FieldError
from engine.workdays import add_days, add_working_days, counted_from, is_working_day, working_days_between
from engine.workflow import (DESK, WORKFLOW, Forbidden, InvalidTransition, LifecycleError, NotFound, Transition,
                             Workflow)

__all__ = ["Forbidden", "Incomplete", "InvalidTransition", "LifecycleError", "NotFound"]

ACTION_LABELS: dict[str, str] = WORKFLOW.labels
can_view = WORKFLOW.can_view
ensure_visible = WORKFLOW.ensure_visible
is_overdue = WORKFLOW.is_overdue


class Incomplete(LifecycleError):
    """``unticked``: the names of mandatory documents (*) the citizen neither ticked in
    "Chọn thông tin bạn có" nor (where the document has an upload slot) uploaded."""

    def __init__(self, errors: list[FieldError], missing_documents: list[str], unticked: list[str] | None = None):
        self.unticked = list(unticked or [])
        parts = []
        if errors:
            parts.append(f"biểu mẫu còn {len(errors)} lỗi")
        if missing_documents:
            parts.append("chưa tải lên: " + "; ".join(missing_documents))
        if self.unticked:
            parts.append(unticked_message(self.unticked))
        super().__init__("Hồ sơ chưa đầy đủ: " + ", ".join(parts))
        self.errors = errors
        self.missing_documents = missing_documents


def unticked_message(names: list[str]) -> str:
    """What the checklist says about mandatory documents left unticked (Vietnamese)."""
    return "Chưa đánh dấu giấy tờ bắt buộc (*) trong “Chọn thông tin bạn có”: " + "; ".join(names)


def _logged(dossier: Dossier, actor: Actor, transition: Transition, now: dt.datetime, note: str = "",
            to: Status | None = None, **changes: Any) -> Dossier:
    """A copy of ``dossier`` moved by ``transition`` (to ``to``, for an action with several
    targets), with ``changes`` applied and one log entry appended, sealed into the log's
    hash chain (engine.log_chain) with the hash of the dossier as it is after the change."""
    if to is None:
        to = transition.targets[0] if transition.targets else dossier.status
    elif to not in transition.targets:
        raise ValueError(f"{transition.action} does not lead to {to}")
    updated = dossier.model_copy(deep=True, update=changes)
    previous = dossier.status
    updated.status = to
    updated.updated_at = now
    entry = LogEntry(at=now, actor=actor.id, actor_name=actor.name, role=actor.role, action=transition.action,
                     note=note, status_from=previous, status_to=updated.status)
    updated.log.append(log_chain.seal(log_chain.chain_end(dossier), entry, updated))
    return updated


def _check_checklist(service: Service, checklist: Iterable[str]) -> list[str]:
    known = {d.id for d in service.documents}
    chosen = list(dict.fromkeys(checklist))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InvalidTransition("Giấy tờ không thuộc thành phần hồ sơ của dịch vụ: " + ", ".join(unknown))
    return chosen


def unticked(service: Service, checklist: Iterable[str], attachments: Iterable[str] | None = None) -> list[str]:
    """The names of the mandatory documents (*) other than the form itself that are not
    ticked in the checklist. With ``attachments`` (at submission), a document uploaded
    counts as given; without (at "Lưu lại", before any file can be attached), only the
    documents with no upload slot are asked for: the others may still be uploaded."""
    ticked = set(checklist)
    uploaded = None if attachments is None else set(attachments)
    return [d.name for d in service.documents
            if d.mandatory and not d.from_form and d.id not in ticked
            and (d.upload is None if uploaded is None else d.id not in uploaded)]


def completeness(service: Service, dossier: Dossier) -> tuple[list[FieldError], list[str], list[str]]:
    """The form's errors, the names of required uploads still missing, and of mandatory
    documents neither ticked nor uploaded (those already missing as uploads not repeated)."""
    missing = [d.name for d in service.documents
               if d.upload and d.upload.required and d.id not in dossier.attachments]
    left = [name for name in unticked(service, dossier.checklist, dossier.attachments) if name not in missing]
    return service.validate(dossier.data), missing, left


def desk_request(dossier: Dossier, workflow: Workflow = WORKFLOW) -> LogEntry | None:
    """What the desk asked for, while the dossier is back with its citizen to complete: the
    log entry by which the desk moved it into its present (citizen-editable) state."""
    if dossier.status not in workflow.editable:
        return None
    entry = next((e for e in reversed(dossier.log) if e.status_to == dossier.status and e.status_from != e.status_to),
                 None)
    return entry if entry is not None and entry.role in DESK else None


# -- citizen operations ----------------------------------------------------------------

def create(service: Service, actor: Actor, data: dict, checklist: Iterable[str], now: dt.datetime,
           applicant_id_number: str | None = None) -> Dossier:
    transition = WORKFLOW["create"]
    if actor.role not in transition.roles:
        raise Forbidden(transition.refusal)
    if not service.online:
        raise InvalidTransition("Dịch vụ này không nhận hồ sơ trực tuyến")
    chosen = _check_checklist(service, checklist)
    errors, left = service.validate(data), unticked(service, chosen)
    if errors or left:
        raise Incomplete(errors, [], left)
    dossier = Dossier(
        id=new_id(), service=service.slug, service_version=service.version, agency=service.info.agency.code,
        owner=actor.id,
        applicant_name=actor.name, applicant_id_number=applicant_id_number,
        summary=summary_of(service.summary_pointers, data),
        data=data, checklist=chosen, created_at=now, updated_at=now,
    )
    return _logged(dossier, actor, transition, now)


def edit(dossier: Dossier, service: Service, actor: Actor, data: dict, checklist: Iterable[str],
         now: dt.datetime) -> Dossier:
    transition = WORKFLOW.check(dossier, actor, "edit", now)
    # Returned for correction field by field: only the marked fields and documents change,
    # every other value is the stored one, whatever was posted (engine.corrections).
    data = marks_of.corrected_data(dossier, data)
    chosen = marks_of.corrected_checklist(dossier, _check_checklist(service, checklist))
    errors, left = service.validate(data), unticked(service, chosen)
    if errors or left:
        raise Incomplete(errors, [], left)
    return _logged(dossier, actor, transition, now, data=data, checklist=chosen, incomplete=False, draft_step=None,
                   summary=summary_of(service.summary_pointers, data))


DRAFT_NOTE = "Lưu nháp"


def save_draft(service: Service, actor: Actor, data: dict, checklist: Iterable[str], now: dt.datetime,
               dossier: Dossier | None = None, applicant_id_number: str | None = None,
               step: int | None = None) -> Dossier:
    """"Lưu nháp": a new dossier (``dossier`` None) or an edit, kept as posted without the
    form's checks: ``data`` is what ``parse_form`` made of the post (values read to the
    fields' types, text that is not one kept as typed), and the checklist names only the
    service's documents. Marked ``incomplete`` until "Lưu lại" passes the full check.
    ``step``: of a form in steps, the step the citizen was on (kept as ``draft_step``)."""
    chosen = _check_checklist(service, checklist)
    summary = summary_of(service.summary_pointers, data)
    if dossier is None:
        transition = WORKFLOW["create"]
        if actor.role not in transition.roles:
            raise Forbidden(transition.refusal)
        if not service.online:
            raise InvalidTransition("Dịch vụ này không nhận hồ sơ trực tuyến")
        new = Dossier(
            id=new_id(), service=service.slug, service_version=service.version, agency=service.info.agency.code,
            owner=actor.id, applicant_name=actor.name, applicant_id_number=applicant_id_number, summary=summary,
            data=data, checklist=chosen, incomplete=True, draft_step=step, created_at=now, updated_at=now,
        )
        return _logged(new, actor, transition, now, note=DRAFT_NOTE)
    transition = WORKFLOW.check(dossier, actor, "edit", now)
    # A dossier returned for correction keeps its unmarked values in a draft too.
    data = marks_of.corrected_data(dossier, data)
    chosen = marks_of.corrected_checklist(dossier, chosen)
    return _logged(dossier, actor, transition, now, note=DRAFT_NOTE, data=data, checklist=chosen, incomplete=True,
                   draft_step=step, summary=summary_of(service.summary_pointers, data))


def attach(dossier: Dossier, service: Service, actor: Actor, doc_id: str, attachment: Attachment,
           now: dt.datetime) -> Dossier:
    transition = WORKFLOW.check(dossier, actor, "attach", now)
    document = service.document(doc_id)
    if document is None or document.upload is None:
        raise InvalidTransition("Giấy tờ này không nhận tệp tải lên")
    _ensure_returned(dossier, doc_id)
    attachments = {**dossier.attachments, doc_id: attachment}
    return _logged(dossier, actor, transition, now, note=document.name, attachments=attachments)


def detach(dossier: Dossier, service: Service, actor: Actor, doc_id: str, now: dt.datetime) -> Dossier:
    transition = WORKFLOW.check(dossier, actor, "detach", now)
    if doc_id not in dossier.attachments:
        raise InvalidTransition("Giấy tờ này chưa được tải lên")
    _ensure_returned(dossier, doc_id)
    attachments = {k: v for k, v in dossier.attachments.items() if k != doc_id}
    document = service.document(doc_id)
    return _logged(dossier, actor, transition, now, note=document.name if document else doc_id,
                   attachments=attachments)


NOT_RETURNED = "Bộ phận một cửa không yêu cầu bổ sung giấy tờ này"


def _ensure_returned(dossier: Dossier, doc_id: str) -> None:
    """With marks, only a document the desk returned for correction may change."""
    if not marks_of.may_change_document(dossier, doc_id):
        raise InvalidTransition(NOT_RETURNED)


def confirm(dossier: Dossier, actor: Actor, now: dt.datetime) -> Dossier:
    """The citizen followed the confirmation link. Following it again changes nothing."""
    transition = WORKFLOW["confirm"]
    WORKFLOW.authorize(dossier, actor, transition)
    if dossier.status not in transition.sources:
        return dossier
    if dossier.incomplete:  # saved with "Lưu nháp" since the mail was sent: "Lưu lại" first
        raise Incomplete([], [], [])
    return _logged(dossier, actor, transition, now, confirmed_at=now)


def submit_action(dossier: Dossier) -> str:
    """Which of the table's sending actions applies: a first submission, or a resubmission."""
    return "resubmit" if dossier.status in WORKFLOW["resubmit"].sources else "submit"


def submit(dossier: Dossier, service: Service, actor: Actor, now: dt.datetime) -> Dossier:
    """Send to the one-stop desk; after a supplement request, send the completed dossier back."""
    action = submit_action(dossier)
    if dossier.status in WORKFLOW["confirm"].sources:  # not confirmed yet: say so, to its citizen only
        WORKFLOW.authorize(dossier, actor, WORKFLOW[action])
        raise InvalidTransition("Hồ sơ chưa được xác nhận qua thư điện tử")
    transition = WORKFLOW.check(dossier, actor, action, now)
    errors, missing, left = completeness(service, dossier)
    if errors or missing or left or dossier.incomplete:
        raise Incomplete(errors, missing, left)
    if action == "submit":
        return _logged(dossier, actor, transition, now, submitted_at=now)
    if dossier.receipt_number is None:  # the desk asked before accepting: back to the inbox
        return _logged(dossier, actor, transition, now, to=Status.SUBMITTED, submitted_at=now, corrections=[])
    # Accepted earlier: the clock restarts with the working days it had left. Not moved by
    # the 15:00 cut-off: the records state it for receiving a dossier, and say nothing of a
    # completed one coming back after a supplement request (no source: counted as before).
    appointment = add_working_days(now, dossier.paused_working_days or 0)
    return _logged(dossier, actor, transition, now, to=Status.PROCESSING,
                   note=f"Hẹn trả kết quả: {appointment:%d/%m/%Y}",
                   appointment_date=appointment, paused_working_days=None, corrections=[])


def delete(dossier: Dossier, actor: Actor) -> None:
    """Check that the citizen may delete; the caller removes it from storage."""
    WORKFLOW.check(dossier, actor, "delete")


def rate(dossier: Dossier, actor: Actor, score: int | None, comment: str, now: dt.datetime,
         workflow: Workflow = WORKFLOW) -> Dossier:
    """Đánh giá mức độ hài lòng: its citizen, once, after the result. The log says the rating
    was given and its point of the scale; the comment stays on the rating (the citizen's
    page and the desk's), out of the log's note."""
    transition = workflow.check(dossier, actor, "rate", now, {"score": score, "comment": comment})
    if score not in RATING_LABELS:
        raise InvalidTransition("Cần chọn mức độ hài lòng")
    comment = (comment or "").strip()
    if len(comment) > MAX_RATING_COMMENT:
        raise InvalidTransition(f"Góp ý không quá {MAX_RATING_COMMENT} ký tự")
    return _logged(dossier, actor, transition, now, note=f"{score}/5 — {RATING_LABELS[score]}",
                   rating=Rating(score=score, comment=comment, at=now))


# -- one-stop desk operations ------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """What a person gave with a desk action (``engine.workflow.Input`` names them)."""

    note: str = ""
    new_date: dt.date | None = None
    result_file: Attachment | None = None
    corrections: tuple[Correction, ...] = ()  # a supplement request's marks (engine.corrections)

    def given(self) -> dict[str, Any]:
        return {"note": self.note, "new_date": self.new_date, "result_file": self.result_file,
                "corrections": self.corrections}


def appointment_if_accepted(dossier: Dossier, service: Service, now: dt.datetime) -> dt.date:
    """The result date an acceptance at ``now`` gives, by the dossier's own case and method;
    after 15:00 the count starts from the next working day (workdays.ACCEPTANCE_CUTOFF)."""
    terms = service.terms_for(dossier.data, dossier.method)
    return add_days(counted_from(now), terms.processing_days, terms.day_count)


def accept(dossier: Dossier, service: Service, actor: Actor, now: dt.datetime,
           new_receipt_number: Callable[[dt.date], str], workflow: Workflow = WORKFLOW) -> Dossier:
    """Tiếp nhận: assign the receipt number and the appointment date."""
    transition = workflow.check(dossier, actor, "accept", now)
    appointment = appointment_if_accepted(dossier, service, now)
    receipt = dossier.receipt_number or new_receipt_number(now.date())
    return _logged(dossier, actor, transition, now,
                   note=f"Số biên nhận {receipt}; hẹn trả kết quả ngày {appointment:%d/%m/%Y}",
                   receipt_number=receipt, accepted_at=now, appointment_date=appointment)


def request_supplement(dossier: Dossier, actor: Actor, note: str, now: dt.datetime,
                       workflow: Workflow = WORKFLOW, corrections: Iterable[Correction] = ()) -> Dossier:
    """Yêu cầu bổ sung: stops the clock and reopens the dossier to the citizen. With
    ``corrections`` (the fields and documents the desk marked, engine.corrections.marks),
    the citizen may change only those; the log entry lists them after the note."""
    marked = tuple(corrections)
    transition = workflow.check(dossier, actor, "request_supplement", now,
                                Inputs(note=note, corrections=marked).given())
    paused = None
    # The days left after today, whatever the hour: the 15:00 cut-off is about when a
    # received dossier starts counting, not about a pause (see submit for the restart).
    if dossier.appointment_date is not None:
        paused = max(working_days_between(now, dossier.appointment_date), 0)
    logged = "\n".join(part for part in (note.strip(), marks_of.log_text(marked)) if part)
    return _logged(dossier, actor, transition, now, note=logged, paused_working_days=paused,
                   corrections=list(marked))


def reject(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime, workflow: Workflow = WORKFLOW) -> Dossier:
    transition = workflow.check(dossier, actor, "reject", now, Inputs(note=reason).given())
    return _logged(dossier, actor, transition, now, note=reason.strip(), completed_at=now)


def record_result(dossier: Dossier, actor: Actor, note: str, now: dt.datetime,
                  result_file: Attachment | None = None, workflow: Workflow = WORKFLOW) -> Dossier:
    transition = workflow.check(dossier, actor, "record_result", now)
    return _logged(dossier, actor, transition, now, note=(note or "").strip(),
                   completed_at=now, result_note=(note or "").strip(), result_file=result_file)


def hand_over(dossier: Dossier, actor: Actor, now: dt.datetime, workflow: Workflow = WORKFLOW) -> Dossier:
    transition = workflow.check(dossier, actor, "hand_over", now)
    return _logged(dossier, actor, transition, now, returned_at=now)


def reschedule(dossier: Dossier, actor: Actor, new_date: dt.date | None, reason: str, now: dt.datetime,
               workflow: Workflow = WORKFLOW) -> Dossier:
    """Phiếu xin lỗi và hẹn lại: a new appointment for a dossier that is (about to be) late
    (the table's guard says from when)."""
    # The table asks for both inputs: a missing date is refused here, before it is read.
    transition = workflow.check(dossier, actor, "reschedule", now, Inputs(note=reason, new_date=new_date).given())
    assert dossier.appointment_date is not None
    if new_date <= max(dossier.appointment_date, now.date()) or not is_working_day(new_date):
        raise InvalidTransition("Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn cũ")
    return _logged(dossier, actor, transition, now, note=reschedule_note(reason, new_date, dossier.appointment_date),
                   appointment_date=new_date)


_RESCHEDULED = re.compile(r"(?P<reason>.*) Hẹn lại ngày (?P<new>\d\d/\d\d/\d{4}) \(hẹn cũ (?P<old>\d\d/\d\d/\d{4})\)\.",
                          re.S)


def reschedule_note(reason: str, new_date: dt.date, old_date: dt.date) -> str:
    """The log note of a new appointment: the reason, then the new and the old date."""
    return f"{reason.strip()} Hẹn lại ngày {new_date:%d/%m/%Y} (hẹn cũ {old_date:%d/%m/%Y})."


def read_reschedule_note(note: str) -> tuple[str, dt.date, dt.date] | None:
    """The reason, the new date and the old one back from :func:`reschedule_note`'s text."""
    found = _RESCHEDULED.fullmatch(note)
    if found is None:
        return None
    return found["reason"], _day(found["new"]), _day(found["old"])


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def move(dossier: Dossier, actor: Actor, action: str, now: dt.datetime, inputs: Inputs,
         workflow: Workflow = WORKFLOW) -> Dossier:
    """An action of the table with nothing to do beyond moving the dossier and logging it
    (a deployment's own step): the note, if any, goes into the log."""
    transition = workflow.check(dossier, actor, action, now, inputs.given())
    return _logged(dossier, actor, transition, now, note=inputs.note.strip())


# The desk's actions with an effect of their own, each with the inputs of a posted form,
# checked against the caller's table; every other action of the table is ``move``.
DeskEffect = Callable[[Dossier, Service, Actor, dt.datetime, Inputs, Workflow], Dossier]

DESK_EFFECTS: dict[str, DeskEffect] = {
    "accept": lambda d, s, a, now, i, w: accept(d, s, a, now, new_receipt_number, w),
    "request_supplement": lambda d, s, a, now, i, w: request_supplement(d, a, i.note, now, w, i.corrections),
    "reject": lambda d, s, a, now, i, w: reject(d, a, i.note, now, w),
    "record_result": lambda d, s, a, now, i, w: record_result(d, a, i.note, now, i.result_file, w),
    "hand_over": lambda d, s, a, now, i, w: hand_over(d, a, now, w),
    "reschedule": lambda d, s, a, now, i, w: reschedule(d, a, i.new_date, i.note, now, w),
}


def take_desk_action(dossier: Dossier, service: Service, actor: Actor, action: str, now: dt.datetime,
                     inputs: Inputs, workflow: Workflow = WORKFLOW) -> Dossier:
    """The desk's ``action`` with the posted ``inputs``: its own effect, or just the move."""
    effect = DESK_EFFECTS.get(action)
    if effect is None:
        return move(dossier, actor, action, now, inputs, workflow)
    return effect(dossier, service, actor, now, inputs, workflow)
