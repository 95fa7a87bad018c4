"""What anyone may see of a dossier: the public status lookup (Tra cứu hồ sơ).

A lookup by receipt number ("Biên nhận") or by ID number ("Số CMND"/CCCD) shows which
dossiers exist, for which service, in which state and on which dates, with the
applicant's name masked ("Nguyễn V** A*"), the processing log's steps and the desk's
words to the applicant (:data:`PUBLIC_NOTES`: why it was refused, what it lacks, why its
result is late) and whether an e-result was issued ("Đã có kết quả điện tử"); never the
form's content, an address, an ID number, an attachment or the
result's note. Drafts are private to their owner and never found. An unknown number and a
malformed one give the same answer, so probing learns nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from engine.dossier import Dossier, LogEntry, Status
from engine.workflow import WORKFLOW
from engine.receipts import normalize
from engine.repository import DossierRepository


def mask_name(full_name: str) -> str:
    """The family name, then each other name's first letter and a star per other letter."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(w[0] + "*" * (len(w) - 1) for w in words[1:])])


# The steps whose note the lookup shows: what the desk tells the applicant to explain the
# step (the reason for a refusal, the documents or contents to supplement, the reason a
# result is late), as the guide's "Tra cứu hồ sơ" shows status and processing log to
# anyone holding the receipt or the ID number. Never the result's note (it can carry a
# certificate's number) nor the acceptance's (its receipt number and date are facts shown
# apart); a step not listed here shows what happened and when, nothing more.
PUBLIC_NOTES = frozenset({"reject", "request_supplement", "reschedule"})


@dataclass(frozen=True)
class PublicEntry:
    at: dt.datetime
    action: str  # the Vietnamese label
    note: str = ""  # the desk's words, for the steps of PUBLIC_NOTES only


@dataclass(frozen=True)
class PublicDossier:
    receipt_number: str | None
    service: str  # slug
    status: Status
    applicant: str  # masked
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    appointment_date: dt.date | None
    completed_at: dt.datetime | None
    log: tuple[PublicEntry, ...]
    refusal: str = ""  # why the desk refused it, when it is refused (before acceptance or after)
    e_result: bool = False  # a result PDF was issued (returned online): that it exists, never its content


def public_view(dossier: Dossier) -> PublicDossier:
    log = tuple(PublicEntry(e.at, WORKFLOW.labels.get(e.action, e.action),
                            e.note.strip() if e.action in PUBLIC_NOTES else "")
                for e in dossier.log if _public(e))
    refusal = ""
    if dossier.status in WORKFLOW.refused:
        refusing = {t.action for t in WORKFLOW.transitions if t.outcome == "refusal"}
        refusal = next((e.note.strip() for e in reversed(dossier.log) if e.action in refusing), "")
    return PublicDossier(dossier.receipt_number, dossier.service, dossier.status, mask_name(dossier.applicant_name),
                         dossier.submitted_at, dossier.accepted_at, dossier.appointment_date, dossier.completed_at, log,
                         refusal, _has_e_result(dossier))


def _has_e_result(dossier: Dossier) -> bool:
    result = dossier.result_file
    return result is not None and result.media_type == "application/pdf"


def _public(entry: LogEntry) -> bool:
    return WORKFLOW.is_public(entry.action)


# Nine digits too: a dossier recorded before 2025 may carry a CMND, which no new input
# takes (engine.id_numbers) but the lookup must still find.
_ID_NUMBER = re.compile(r"[0-9]{9}|[0-9]{12}")


def lookup(repository: DossierRepository, query: str) -> list[PublicDossier]:
    """Dossiers found by a receipt number or an ID number, newest first ([] when none)."""
    text = (query or "").strip()
    compact = re.sub(r"[\s.]", "", text)
    if _ID_NUMBER.fullmatch(compact):
        found = repository.list_by_id_number(compact)
    else:
        receipt = normalize(text)
        dossier = repository.find_by_receipt(receipt) if receipt else None
        found = [dossier] if dossier else []
    return [public_view(d) for d in found if d.status in WORKFLOW.at_desk]


def by_receipt(repository: DossierRepository, receipt: str) -> PublicDossier | None:
    number = normalize(receipt or "")
    dossier = repository.find_by_receipt(number) if number else None
    return public_view(dossier) if dossier and dossier.status in WORKFLOW.at_desk else None
