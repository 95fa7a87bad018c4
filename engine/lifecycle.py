"""The dossier lifecycle: one function per transition.

Each function checks who may do it (the engine enforces authorization, not the
templates), checks the dossier's state, and returns an updated copy with an entry
appended to the processing log (nhật ký xử lý). Storing the copy is the caller's
job (``DossierRepository.update`` with its version check).

    draft ──confirm──▶ confirmed ──submit──▶ submitted ──accept──▶ processing ──result──▶ done ──hand over──▶ returned
                                               │  └─reject─▶ rejected          │
                                               └──request more──▶ supplement ◀─┘ (citizen edits, resubmits)

Refusals are exceptions the web layer maps to responses: :class:`NotFound` (404:
not yours, or not your agency's; the same answer as a dossier that does not exist),
:class:`Forbidden` (403: your role may not do this), :class:`InvalidTransition`
(409: not in this state), :class:`Incomplete` (422: the form or uploads are not complete).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from engine.catalog import Service
from engine.dossier import Actor, Attachment, Dossier, LogEntry, Role, Status, new_id
from engine.validation import FieldError
from engine.workdays import add_working_days, is_working_day, working_days_between

CITIZEN_EDITABLE = frozenset({Status.DRAFT, Status.CONFIRMED, Status.SUPPLEMENT})
CITIZEN_DELETABLE = frozenset({Status.DRAFT, Status.CONFIRMED})
PRIVATE_TO_CITIZEN = frozenset({Status.DRAFT, Status.CONFIRMED})  # not yet sent to the desk
DESK_ROLES = frozenset({Role.CLERK, Role.ADMIN})

ACTION_LABELS: dict[str, str] = {
    "create": "Tạo hồ sơ",
    "edit": "Cập nhật hồ sơ",
    "attach": "Đính kèm giấy tờ",
    "detach": "Gỡ giấy tờ đính kèm",
    "confirm": "Xác nhận hồ sơ qua thư điện tử",
    "submit": "Nộp hồ sơ đến Bộ phận một cửa",
    "resubmit": "Nộp lại hồ sơ đã bổ sung",
    "accept": "Tiếp nhận hồ sơ",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "reject": "Từ chối giải quyết hồ sơ",
    "record_result": "Có kết quả giải quyết",
    "hand_over": "Đã trả kết quả",
    "reschedule": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
}


class LifecycleError(Exception):
    """A refused operation; ``message`` is Vietnamese, for the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(LifecycleError):
    def __init__(self, message: str = "Không tìm thấy hồ sơ"):
        super().__init__(message)


class Forbidden(LifecycleError):
    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này"):
        super().__init__(message)


class InvalidTransition(LifecycleError):
    pass


class Incomplete(LifecycleError):
    def __init__(self, errors: list[FieldError], missing_documents: list[str]):
        parts = []
        if errors:
            parts.append(f"biểu mẫu còn {len(errors)} lỗi")
        if missing_documents:
            parts.append("chưa tải lên: " + "; ".join(missing_documents))
        super().__init__("Hồ sơ chưa đầy đủ: " + ", ".join(parts))
        self.errors = errors
        self.missing_documents = missing_documents


# -- who sees what ---------------------------------------------------------------------

def can_view(dossier: Dossier, actor: Actor) -> bool:
    if actor.role == Role.CITIZEN:
        return dossier.owner == actor.id
    if dossier.status in PRIVATE_TO_CITIZEN:
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.CLERK and dossier.agency in actor.agencies


def ensure_visible(dossier: Dossier | None, actor: Actor) -> Dossier:
    """The dossier, or NotFound: another citizen's dossier looks exactly like none at all."""
    if dossier is None or not can_view(dossier, actor):
        raise NotFound()
    return dossier


def _require_owner(dossier: Dossier, actor: Actor) -> None:
    if actor.role != Role.CITIZEN or dossier.owner != actor.id:
        if can_view(dossier, actor):
            raise Forbidden("Chỉ người nộp hồ sơ mới được thực hiện thao tác này")
        raise NotFound()


def _require_desk(dossier: Dossier, actor: Actor) -> None:
    if actor.role not in DESK_ROLES:
        if dossier.owner == actor.id:
            raise Forbidden("Chỉ cán bộ Bộ phận một cửa mới được thực hiện thao tác này")
        raise NotFound()
    ensure_visible(dossier, actor)


def _require_status(dossier: Dossier, allowed: Iterable[Status], message: str) -> None:
    if dossier.status not in allowed:
        raise InvalidTransition(message)


def _logged(dossier: Dossier, actor: Actor, action: str, now: dt.datetime, note: str = "",
            to: Status | None = None, **changes: Any) -> Dossier:
    """A copy of ``dossier`` with ``changes`` applied and one log entry appended."""
    updated = dossier.model_copy(deep=True, update=changes)
    previous = dossier.status
    updated.status = to or previous
    updated.updated_at = now
    updated.log.append(
        LogEntry(at=now, actor=actor.id, actor_name=actor.name, role=actor.role, action=action,
                 note=note, status_from=previous, status_to=updated.status)
    )
    return updated


def _check_checklist(service: Service, checklist: Iterable[str]) -> list[str]:
    known = {d.id for d in service.documents}
    chosen = list(dict.fromkeys(checklist))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InvalidTransition("Giấy tờ không thuộc thành phần hồ sơ của dịch vụ: " + ", ".join(unknown))
    return chosen


def completeness(service: Service, dossier: Dossier) -> tuple[list[FieldError], list[str]]:
    """The form's errors and the names of required uploads still missing."""
    missing = [d.name for d in service.documents
               if d.upload and d.upload.required and d.id not in dossier.attachments]
    return service.validate(dossier.data), missing


# -- citizen operations ----------------------------------------------------------------

def create(service: Service, actor: Actor, data: dict, checklist: Iterable[str], now: dt.datetime,
           applicant_id_number: str | None = None) -> Dossier:
    if actor.role != Role.CITIZEN:
        raise Forbidden("Chỉ công dân, doanh nghiệp mới đăng ký hồ sơ")
    if not service.online:
        raise InvalidTransition("Dịch vụ này không nhận hồ sơ trực tuyến")
    errors = service.validate(data)
    if errors:
        raise Incomplete(errors, [])
    dossier = Dossier(
        id=new_id(), service=service.slug, service_version=service.version, agency=service.info.agency.code,
        owner=actor.id,
        applicant_name=actor.name, applicant_id_number=applicant_id_number,
        data=data, checklist=_check_checklist(service, checklist), created_at=now, updated_at=now,
    )
    return _logged(dossier, actor, "create", now)


def edit(dossier: Dossier, service: Service, actor: Actor, data: dict, checklist: Iterable[str],
         now: dt.datetime) -> Dossier:
    _require_owner(dossier, actor)
    _require_status(dossier, CITIZEN_EDITABLE, "Hồ sơ đã nộp, không thể sửa")
    errors = service.validate(data)
    if errors:
        raise Incomplete(errors, [])
    return _logged(dossier, actor, "edit", now, data=data, checklist=_check_checklist(service, checklist))


def attach(dossier: Dossier, service: Service, actor: Actor, doc_id: str, attachment: Attachment,
           now: dt.datetime) -> Dossier:
    _require_owner(dossier, actor)
    _require_status(dossier, CITIZEN_EDITABLE, "Hồ sơ đã nộp, không thể sửa")
    document = service.document(doc_id)
    if document is None or document.upload is None:
        raise InvalidTransition("Giấy tờ này không nhận tệp tải lên")
    attachments = {**dossier.attachments, doc_id: attachment}
    return _logged(dossier, actor, "attach", now, note=document.name, attachments=attachments)


def detach(dossier: Dossier, service: Service, actor: Actor, doc_id: str, now: dt.datetime) -> Dossier:
    _require_owner(dossier, actor)
    _require_status(dossier, CITIZEN_EDITABLE, "Hồ sơ đã nộp, không thể sửa")
    if doc_id not in dossier.attachments:
        raise InvalidTransition("Giấy tờ này chưa được tải lên")
    attachments = {k: v for k, v in dossier.attachments.items() if k != doc_id}
    document = service.document(doc_id)
    return _logged(dossier, actor, "detach", now, note=document.name if document else doc_id,
                   attachments=attachments)


def confirm(dossier: Dossier, actor: Actor, now: dt.datetime) -> Dossier:
    """The citizen followed the confirmation link. Following it again changes nothing."""
    _require_owner(dossier, actor)
    if dossier.status != Status.DRAFT:
        return dossier
    return _logged(dossier, actor, "confirm", now, to=Status.CONFIRMED, confirmed_at=now)


def submit(dossier: Dossier, service: Service, actor: Actor, now: dt.datetime) -> Dossier:
    """Send to the one-stop desk; after a supplement request, send the completed dossier back."""
    _require_owner(dossier, actor)
    if dossier.status == Status.DRAFT:
        raise InvalidTransition("Hồ sơ chưa được xác nhận qua thư điện tử")
    _require_status(dossier, {Status.CONFIRMED, Status.SUPPLEMENT}, "Hồ sơ đã được nộp")
    errors, missing = completeness(service, dossier)
    if errors or missing:
        raise Incomplete(errors, missing)
    if dossier.status == Status.CONFIRMED:
        return _logged(dossier, actor, "submit", now, to=Status.SUBMITTED, submitted_at=now)
    if dossier.receipt_number is None:  # the desk asked before accepting: back to the inbox
        return _logged(dossier, actor, "resubmit", now, to=Status.SUBMITTED, submitted_at=now)
    # Accepted earlier: the clock restarts with the working days it had left.
    appointment = add_working_days(now, dossier.paused_working_days or 0)
    return _logged(dossier, actor, "resubmit", now, to=Status.PROCESSING,
                   note=f"Hẹn trả kết quả: {appointment:%d/%m/%Y}",
                   appointment_date=appointment, paused_working_days=None)


def delete(dossier: Dossier, actor: Actor) -> None:
    """Check that the citizen may delete; the caller removes it from storage."""
    _require_owner(dossier, actor)
    _require_status(dossier, CITIZEN_DELETABLE, "Hồ sơ đã nộp, không thể xóa")


# -- one-stop desk operations ------------------------------------------------------------

def accept(dossier: Dossier, service: Service, actor: Actor, now: dt.datetime,
           new_receipt_number: Callable[[dt.date], str]) -> Dossier:
    """Tiếp nhận: assign the receipt number and the appointment date."""
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.SUBMITTED}, "Hồ sơ không ở trạng thái chờ tiếp nhận")
    appointment = add_working_days(now, service.info.processing_days)
    receipt = dossier.receipt_number or new_receipt_number(now.date())
    return _logged(dossier, actor, "accept", now, to=Status.PROCESSING,
                   note=f"Số biên nhận {receipt}; hẹn trả kết quả ngày {appointment:%d/%m/%Y}",
                   receipt_number=receipt, accepted_at=now, appointment_date=appointment)


def _required_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise InvalidTransition(f"Cần ghi {what}")
    return note


def request_supplement(dossier: Dossier, actor: Actor, note: str, now: dt.datetime) -> Dossier:
    """Yêu cầu bổ sung: stops the clock and reopens the dossier to the citizen."""
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.SUBMITTED, Status.PROCESSING}, "Hồ sơ không ở trạng thái đang xử lý")
    note = _required_note(note, "các giấy tờ, nội dung cần bổ sung")
    paused = None
    if dossier.appointment_date is not None:
        paused = max(working_days_between(now, dossier.appointment_date), 0)
    return _logged(dossier, actor, "request_supplement", now, note=note, to=Status.SUPPLEMENT,
                   paused_working_days=paused)


def reject(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime) -> Dossier:
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.SUBMITTED, Status.PROCESSING}, "Hồ sơ không ở trạng thái đang xử lý")
    reason = _required_note(reason, "lý do từ chối")
    return _logged(dossier, actor, "reject", now, note=reason, to=Status.REJECTED, completed_at=now)


def record_result(dossier: Dossier, actor: Actor, note: str, now: dt.datetime,
                  result_file: Attachment | None = None) -> Dossier:
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.PROCESSING}, "Hồ sơ chưa được tiếp nhận hoặc đã có kết quả")
    return _logged(dossier, actor, "record_result", now, note=(note or "").strip(), to=Status.DONE,
                   completed_at=now, result_note=(note or "").strip(), result_file=result_file)


def hand_over(dossier: Dossier, actor: Actor, now: dt.datetime) -> Dossier:
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.DONE}, "Hồ sơ chưa có kết quả")
    return _logged(dossier, actor, "hand_over", now, to=Status.RETURNED, returned_at=now)


def is_overdue(dossier: Dossier, today: dt.date) -> bool:
    return (dossier.status == Status.PROCESSING and dossier.appointment_date is not None
            and today > dossier.appointment_date)


def reschedule(dossier: Dossier, actor: Actor, new_date: dt.date, reason: str, now: dt.datetime) -> Dossier:
    """Phiếu xin lỗi và hẹn lại: a new appointment for a dossier that is (about to be) late.

    Allowed from the working day before the appointment, as the rules on the one-stop
    mechanism ask the office to apologise before the citizen comes for nothing."""
    _require_desk(dossier, actor)
    _require_status(dossier, {Status.PROCESSING}, "Chỉ hẹn lại hồ sơ đang xử lý")
    assert dossier.appointment_date is not None
    if add_working_days(now, 1) < dossier.appointment_date:
        raise InvalidTransition("Hồ sơ chưa đến hạn trả kết quả")
    if new_date <= max(dossier.appointment_date, now.date()) or not is_working_day(new_date):
        raise InvalidTransition("Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn cũ")
    reason = _required_note(reason, "lý do chậm trả kết quả")
    return _logged(dossier, actor, "reschedule", now, to=Status.PROCESSING,
                   note=f"{reason} Hẹn lại ngày {new_date:%d/%m/%Y} (hẹn cũ {dossier.appointment_date:%d/%m/%Y}).",
                   appointment_date=new_date)
