"""The dossier (hồ sơ): what a citizen submits, and its processing log.

The lifecycle (``engine.lifecycle``) is the only code that changes a dossier's status;
storage (``engine.repository``) keeps it. Dossiers serialise to plain JSON with
``to_json``/``from_json`` so any backend can store them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    DRAFT = "draft"  # saved, not yet confirmed by e-mail
    CONFIRMED = "confirmed"  # the citizen followed the confirmation link
    SUBMITTED = "submitted"  # sent to the one-stop desk, waiting to be accepted
    PROCESSING = "processing"  # accepted: receipt number and appointment date assigned
    SUPPLEMENT = "supplement"  # the desk asked for more documents; the citizen edits
    REJECTED = "rejected"
    DONE = "done"  # the result is ready
    RETURNED = "returned"  # the result was handed over


STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "Chưa xác nhận",
    Status.CONFIRMED: "Đã xác nhận",
    Status.SUBMITTED: "Đã nộp, chờ tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung",
    Status.REJECTED: "Từ chối",
    Status.DONE: "Có kết quả",
    Status.RETURNED: "Đã trả kết quả",
}


class Role(StrEnum):
    CITIZEN = "citizen"
    CLERK = "clerk"
    ADMIN = "admin"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who performs an operation; the engine checks this, not the templates."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    role: Role
    agencies: frozenset[str] = frozenset()  # for clerks: the agencies whose dossiers they handle


class LogEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: dt.datetime
    actor: str  # actor id
    actor_name: str
    role: Role
    action: str  # see engine.lifecycle.ACTION_LABELS
    note: str = ""
    status_from: Status | None = None
    status_to: Status
    # The hash chain (engine.log_chain): the entry before, the dossier after, this entry.
    # None in entries stored before the chain existed.
    prev_hash: str | None = None
    data_hash: str | None = None
    hash: str | None = None


class Attachment(BaseModel):
    """A file the citizen (or the desk, for a result) uploaded; the bytes live elsewhere."""

    model_config = ConfigDict(frozen=True)

    file_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


RATING_LABELS: dict[int, str] = {  # the five points of the satisfaction scale (Quyết định 766/QĐ-TTg)
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
MAX_RATING_COMMENT = 1000  # characters


class Rating(BaseModel):
    """The citizen's satisfaction with a dossier's handling, given once after the result."""

    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=MAX_RATING_COMMENT)
    at: dt.datetime


class Correction(BaseModel):
    """One item the desk returned for correction (engine.corrections): a field of the form
    (``pointer``, the data pointer of its value) or a document (``document``, its id),
    with the desk's note. While a dossier has any, its citizen may change only those."""

    model_config = ConfigDict(frozen=True)

    pointer: str = ""
    document: str = ""
    title: str  # as the desk's page named it: "Chủ hộ kinh doanh › Họ và tên"
    note: str = ""


class Dossier(BaseModel):
    model_config = ConfigDict(validate_assignment=False)

    id: str
    service: str  # the service's slug
    service_version: int = 1
    agency: str  # agency code, copied from the service when created
    owner: str  # the citizen's user id
    applicant_name: str
    applicant_id_number: str | None = None  # for the public lookup by ID number
    summary: str = ""  # what tells it apart: the form's x-summary fields (engine.summary), set at each save
    status: Status = Status.DRAFT
    # How it was sent (engine.definition.Method): the portal's own dossiers come online;
    # the time and fees of a service may differ by method.
    method: str = "truc-tuyen"
    data: dict[str, Any] = Field(default_factory=dict)
    # Saved with "Lưu nháp" (engine.lifecycle.save_draft): its data only parsed to the
    # fields' types, not checked; "Lưu lại" clears it once the full check passes, and
    # neither confirmation nor submission takes it before ("Chưa hoàn thành").
    incomplete: bool = False
    # Of a form in steps (x-steps): the step (1 = the first) where "Lưu nháp" was pressed,
    # where "Tiếp tục nhập" resumes; None once "Lưu lại" completes the dossier.
    draft_step: int | None = None
    checklist: list[str] = Field(default_factory=list)  # documents the citizen will bring
    attachments: dict[str, Attachment] = Field(default_factory=dict)  # by document id
    receipt_number: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    confirmed_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    appointment_date: dt.date | None = None
    paused_working_days: int | None = None  # left on the clock when a supplement was requested
    completed_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    result_note: str = ""
    result_file: Attachment | None = None
    rating: Rating | None = None  # engine.lifecycle.rate
    # What the desk's last supplement request returned for correction; cleared when the
    # dossier is sent back (the request's log entry keeps the list).
    corrections: list[Correction] = Field(default_factory=list)
    log: list[LogEntry] = Field(default_factory=list)
    version: int = 0  # storage's optimistic-concurrency token; 0 = never stored

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Dossier:
        return cls.model_validate(raw)

    @classmethod
    def from_json_text(cls, raw: str | bytes) -> Dossier:
        """A stored dossier from its JSON text: pydantic parses the text itself, twice as
        fast as ``json.loads`` then ``from_json`` (27 against 56 µs a dossier), which is
        what listing thousands of them costs (the CSV export, the statistics)."""
        return cls.model_validate_json(raw)


def new_id() -> str:
    """A dossier id for URLs: 64 random bits, so ids say nothing about other dossiers."""
    return secrets.token_hex(8)
