"""Figures per service for the one-stop desk (received, on time, late, rejected, days), the
same per service and month with the online share and the citizens' satisfaction (the
charts and the CSV of the statistics page), and how many dossiers each service was sent
(the home page's order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engine.dossier import Status
from engine.facts import Facts
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


def figures(dossiers: Iterable[Facts], today: dt.date, workflow: Workflow = WORKFLOW) -> list[ServiceFigures]:
    """The figures of every service with dossiers sent to the desk; the status groups are
    the workflow table's (finished, refused, open, waiting for the desk)."""
    by_service: dict[str, list[Facts]] = {}
    for dossier in dossiers:
        if dossier.submitted is not None:
            by_service.setdefault(dossier.service, []).append(dossier)
    result = []
    for service, group in sorted(by_service.items()):
        finished = [d for d in group if d.status in workflow.finished and d.completed and d.appointment_date]
        on_time = sum(1 for d in finished if d.completed <= d.appointment_date)
        open_late = sum(1 for d in group if workflow.is_overdue(d, today))
        days = [working_days_between(d.accepted, d.completed) for d in finished if d.accepted]
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


@dataclass(frozen=True)
class MonthFigures:
    """One service in one month (``month``: "YYYY-MM"). Each dossier counts in the month of
    the event a figure counts, as a period report does: received in the month it was sent;
    on time or late in the month its result was ready; still open past its appointment,
    late in the month of the day after the appointment (when it became late); rejected in
    the month of the refusal; a rating in the month it was given."""

    service: str
    month: str
    received: int = 0
    online: int = 0  # of ``received``, sent online (``Dossier.method``)
    on_time: int = 0
    late: int = 0
    rejected: int = 0
    ratings: int = 0
    score_total: int = 0  # the sum of the ratings' scores

    @property
    def online_share(self) -> float | None:
        """The percentage of the month's received dossiers sent online; None with none received."""
        return round(100 * self.online / self.received, 1) if self.received else None

    @property
    def satisfaction(self) -> float | None:
        """The average score (1-5) of the month's ratings; None with none."""
        return round(self.score_total / self.ratings, 2) if self.ratings else None

    def __add__(self, other: MonthFigures) -> MonthFigures:
        """The two summed, under this one's service and month (totals over services or months)."""
        return MonthFigures(self.service, self.month, self.received + other.received, self.online + other.online,
                            self.on_time + other.on_time, self.late + other.late, self.rejected + other.rejected,
                            self.ratings + other.ratings, self.score_total + other.score_total)


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def monthly_figures(dossiers: Iterable[Facts], today: dt.date,
                    workflow: Workflow = WORKFLOW) -> list[MonthFigures]:
    """The figures of every service and month with something to count, by service then month:
    one pass over the dossiers, counting each event in its month (see :class:`MonthFigures`)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}

    def add(service: str, when: dt.date, figure: str, value: int = 1) -> None:
        row = counts.setdefault((service, _month(when)), {})
        row[figure] = row.get(figure, 0) + value

    for d in dossiers:
        if d.submitted is None:
            continue
        add(d.service, d.submitted, "received")
        if d.online:
            add(d.service, d.submitted, "online")
        if d.status in workflow.finished and d.completed and d.appointment_date:
            add(d.service, d.completed, "on_time" if d.completed <= d.appointment_date else "late")
        elif workflow.is_overdue(d, today):
            add(d.service, d.appointment_date + dt.timedelta(days=1), "late")
        elif d.status in workflow.refused and d.completed:
            add(d.service, d.completed, "rejected")
        if d.rating_score is not None:
            add(d.service, d.rating_day, "ratings")
            add(d.service, d.rating_day, "score_total", d.rating_score)
    return [MonthFigures(service, month, **row) for (service, month), row in sorted(counts.items())]


def months_until(today: dt.date, count: int) -> list[str]:
    """The ``count`` months ending with ``today``'s, oldest first ("YYYY-MM")."""
    index = today.year * 12 + today.month - 1 - (count - 1)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index + count)]


def sent_per_service(repository: DossierRepository, slugs: Iterable[str], sent: Iterable[Status]) -> dict[str, int]:
    """How many dossiers of each service were sent to the desk (in a state of ``sent``, the
    workflow's ``at_desk``): one count per service, read from the repository's totals
    (``query_page`` with no items), never the dossiers themselves."""
    states = frozenset(sent)
    return {slug: repository.query_page(service=slug, statuses=states, limit=0).total for slug in slugs}
