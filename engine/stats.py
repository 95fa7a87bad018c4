"""Figures per service for the one-stop desk (received, on time, late, rejected, days), and
how many dossiers each service was sent (the home page's order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engine.dossier import Dossier, Status
from engine.repository import DossierRepository
from engine.workdays import working_days_between
from engine.workflow import WORKFLOW, Workflow


@dataclass(frozen=True)
class ServiceFigures:
    service: str
    received: int  # sent to the desk (submitted at some point)
    in_progress: int
    on_time: int  # result ready on or before the (last) appointment date
    late: int  # result ready after it, or still open after it
    rejected: int
    average_days: float | None  # working days from acceptance to result, over finished dossiers


def figures(dossiers: Iterable[Dossier], today: dt.date, workflow: Workflow = WORKFLOW) -> list[ServiceFigures]:
    """The figures of every service with dossiers sent to the desk; the status groups are
    the workflow table's (finished, refused, open, waiting for the desk)."""
    by_service: dict[str, list[Dossier]] = {}
    for dossier in dossiers:
        if dossier.submitted_at is not None:
            by_service.setdefault(dossier.service, []).append(dossier)
    result = []
    for service, group in sorted(by_service.items()):
        finished = [d for d in group if d.status in workflow.finished and d.completed_at and d.appointment_date]
        on_time = sum(1 for d in finished if d.completed_at.date() <= d.appointment_date)
        open_late = sum(1 for d in group if workflow.is_overdue(d, today))
        days = [working_days_between(d.accepted_at, d.completed_at) for d in finished if d.accepted_at]
        result.append(ServiceFigures(
            service=service,
            received=len(group),
            in_progress=sum(1 for d in group if d.status in workflow.open),
            on_time=on_time,
            late=len(finished) - on_time + open_late,
            rejected=sum(1 for d in group if d.status in workflow.refused),
            average_days=round(sum(days) / len(days), 1) if days else None,
        ))
    return result


def sent_per_service(repository: DossierRepository, slugs: Iterable[str], sent: Iterable[Status]) -> dict[str, int]:
    """How many dossiers of each service were sent to the desk (in a state of ``sent``, the
    workflow's ``at_desk``): one count per service, read from the repository's totals
    (``query_page`` with no items), never the dossiers themselves."""
    states = frozenset(sent)
    return {slug: repository.query_page(service=slug, statuses=states, limit=0).total for slug in slugs}
