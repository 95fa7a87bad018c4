"""The workflow table: the groups derived from it, who may do what, and what it refuses to be."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from engine.clock import VIETNAM
from engine.dossier import Actor, Dossier, Role, Status
from engine.workflow import DESK, WORKFLOW, Forbidden, InvalidTransition, NotFound, Transition, Workflow

S = Status
WED = dt.datetime(2026, 11, 25, 9, tzinfo=VIETNAM)
CITIZEN = Actor(id="u-ha", name="Nguyễn Thị Thu Hà", role=Role.CITIZEN)
OTHER_CITIZEN = Actor(id="u-lan", name="Lê Thị Lan", role=Role.CITIZEN)
CLERK = Actor(id="u-phuoc", name="Trần Văn Phước", role=Role.CLERK, agencies=frozenset({"ubnd-phuong"}))
FAR_CLERK = Actor(id="u-tri", name="Võ Minh Trí", role=Role.CLERK, agencies=frozenset({"cong-an"}))
ADMIN = Actor(id="u-tam", name="Lê Minh Tâm", role=Role.ADMIN)
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def dossier(status: Status, **fields) -> Dossier:
    return Dossier(id="0123456789abcdef", service="dang-ky-ho-kinh-doanh", agency="ubnd-phuong", owner=CITIZEN.id,
                   applicant_name=CITIZEN.name, status=status, created_at=WED, updated_at=WED, **fields)


def test_the_status_groups_are_derived_from_the_table():
    assert WORKFLOW.editable == {S.DRAFT, S.CONFIRMED, S.SUPPLEMENT}
    assert WORKFLOW.deletable == {S.DRAFT, S.CONFIRMED}
    assert WORKFLOW.private == {S.DRAFT, S.CONFIRMED}
    assert WORKFLOW.at_desk == set(Status) - {S.DRAFT, S.CONFIRMED}
    assert WORKFLOW.open == {S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT}
    assert WORKFLOW.finished == {S.DONE, S.RETURNED}
    assert WORKFLOW.refused == {S.REJECTED}
    assert WORKFLOW.waiting_for_desk == {S.SUBMITTED, S.PROCESSING}
    assert WORKFLOW.in_flight == {S.DRAFT, S.CONFIRMED, S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT}
    assert WORKFLOW.desk_order == (S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT, S.DONE, S.RETURNED, S.REJECTED)


def test_the_groups_follow_the_table():
    """Without the refusal row nothing is refused, and the refused state is never reached;
    with a row sending a result back to processing, a result is open until handed over."""
    table = Workflow(tuple(t for t in WORKFLOW.transitions if t.action != "reject"))
    assert table.refused == set() and S.REJECTED not in table.at_desk
    assert table.open == {S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT}
    reopened = WORKFLOW.with_transitions(Transition("reopen", frozenset({S.DONE}), (S.PROCESSING,), DESK,
                                                    "Thu hồi kết quả", "", slug="thu-hoi"))
    assert reopened.finished == {S.RETURNED} and reopened.open == {S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT, S.DONE}


@pytest.mark.parametrize("status, who, expected", [
    (S.DRAFT, CITIZEN, {"edit", "attach", "detach", "confirm", "delete"}),
    (S.CONFIRMED, CITIZEN, {"edit", "attach", "detach", "submit", "delete"}),
    (S.SUPPLEMENT, CITIZEN, {"edit", "attach", "detach", "resubmit"}),
    (S.SUBMITTED, CITIZEN, set()),
    (S.SUBMITTED, CLERK, {"accept", "request_supplement", "reject"}),
    (S.PROCESSING, CLERK, {"request_supplement", "reject", "record_result"}),
    (S.DONE, ADMIN, {"hand_over"}),
    (S.RETURNED, CLERK, set()),
    (S.SUBMITTED, FAR_CLERK, set()),
    (S.DRAFT, CLERK, set()),
    (S.DRAFT, OTHER_CITIZEN, set()),
])
def test_allowed_actions(status, who, expected):
    assert WORKFLOW.allowed_names(dossier(status), who, WED) == expected


def test_the_guard_decides_when_the_apology_is_offered():
    soon = dossier(S.PROCESSING, appointment_date=dt.date(2026, 11, 26))
    later = dossier(S.PROCESSING, appointment_date=dt.date(2026, 12, 10))
    assert "reschedule" in WORKFLOW.allowed_names(soon, CLERK, WED)
    assert "reschedule" not in WORKFLOW.allowed_names(later, CLERK, WED)
    with pytest.raises(InvalidTransition, match="chưa đến hạn"):
        WORKFLOW.check(later, CLERK, "reschedule", WED)


def test_refusals_say_not_found_forbidden_or_not_now():
    with pytest.raises(NotFound):
        WORKFLOW.check(dossier(S.SUBMITTED), FAR_CLERK, "accept")
    with pytest.raises(NotFound):
        WORKFLOW.check(dossier(S.CONFIRMED), OTHER_CITIZEN, "submit")
    with pytest.raises(Forbidden, match="cán bộ"):
        WORKFLOW.check(dossier(S.SUBMITTED), CITIZEN, "accept")
    with pytest.raises(Forbidden, match="người nộp"):
        WORKFLOW.check(dossier(S.SUPPLEMENT), CLERK, "resubmit")
    with pytest.raises(InvalidTransition, match="chờ tiếp nhận"):
        WORKFLOW.check(dossier(S.PROCESSING), CLERK, "accept")
    with pytest.raises(InvalidTransition, match="lý do từ chối"):
        WORKFLOW.check(dossier(S.PROCESSING), CLERK, "reject", WED, {"note": "   "})


def test_a_broken_table_is_refused_when_built():
    accept = WORKFLOW["accept"]
    with pytest.raises(ValueError, match="twice"):
        WORKFLOW.with_transitions(accept)
    with pytest.raises(ValueError, match="address"):
        WORKFLOW.with_transitions(dataclasses.replace(accept, action="accept-again"))
    with pytest.raises(ValueError, match="not the desk's"):
        WORKFLOW.with_transitions(Transition("withdraw", frozenset({S.SUBMITTED}), (S.REJECTED,),
                                             frozenset({Role.CITIZEN}), "Rút hồ sơ", "", slug="rut"))
    with pytest.raises(ValueError, match="'submit'"):
        Workflow(tuple(t for t in WORKFLOW.transitions if t.action != "submit"))


def test_desk_actions_are_the_desk_s_rows_with_an_address():
    assert all(t.slug and t.roles <= DESK for t in WORKFLOW.desk_actions(dossier(S.PROCESSING), CLERK, WED))


def test_the_diagram_in_the_architecture_document_is_the_table_s():
    """docs/architecture.md shows the table and its picture as ``dichvucong workflow`` prints them."""
    document = ARCHITECTURE.read_text(encoding="utf-8")
    diagram = re.search(r"```mermaid\n(.*?)```", document, re.S)
    assert diagram, "no Mermaid diagram in docs/architecture.md"
    assert diagram.group(1) == WORKFLOW.mermaid(), "regenerate it with: dichvucong workflow"
    assert WORKFLOW.markdown_table() in document, "regenerate it with: dichvucong workflow --table"


def test_the_diagram_has_an_arrow_for_every_move():
    diagram = WORKFLOW.mermaid()
    for t in WORKFLOW.transitions:
        for source in t.sources:
            for target in t.targets or (source,):
                a = "[*]" if source is None else source.value
                b = "[*]" if target is None else target.value
                assert re.search(rf"^    {re.escape(a)} --> {re.escape(b)}: .*\b{t.action}\b", diagram, re.M), t.action
