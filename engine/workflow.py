"""How a dossier moves: one table of transitions, and everything derived from it.

Each row of :data:`TRANSITIONS` says what an action is called in the processing log,
the states it starts from, the state it leads to, who may take it, what the person must
give (a note, a file, a date), the words on its button and whether it asks first. From
that one table come:

* the status groups (:class:`Workflow`'s properties): what a citizen may still edit or
  delete, what the desk sees, what is still open, what is finished, what counts as
  overdue, what statistics count;
* :meth:`Workflow.allowed_actions`: the buttons a page shows a person, so templates
  never compare a status;
* :meth:`Workflow.check`: the refusal (404, 403, 409) of an action someone may not take;
* :meth:`Workflow.mermaid`: the state diagram in ``docs/architecture.md`` (a test fails
  when the two disagree).

What an action does beyond moving the dossier (a receipt number, an appointment, a
paused clock) is ``engine.lifecycle``'s; an action with nothing more to do (a new row
added here) needs no code at all: the desk page offers it and the operations take it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.clock import system_clock
from engine.dossier import STATUS_LABELS, Actor, Dossier, Role, Status
from engine.workdays import add_working_days

NEW = None  # a source of the action that creates a dossier, and the target of the one that deletes it

CITIZENS = frozenset({Role.CITIZEN})
DESK = frozenset({Role.CLERK, Role.ADMIN})


def N_(text: str) -> str:
    """Marks a text for the translation catalogue; pages translate it where they show it."""
    return text


# -- refusals ------------------------------------------------------------------------------------

class LifecycleError(Exception):
    """A refused operation; ``message`` is Vietnamese, for the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(LifecycleError):
    """404: not yours, or not your agency's; the same answer as a dossier that does not exist."""

    def __init__(self, message: str = "Không tìm thấy hồ sơ"):
        super().__init__(message)


class Forbidden(LifecycleError):
    """403: your role may not do this."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này"):
        super().__init__(message)


class InvalidTransition(LifecycleError):
    """409: not in this state, or something the action needs is missing."""


# -- the table -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Input:
    """Something an action asks for: the posted field ``name``, shown as ``kind``."""

    name: str  # "note", "new_date", "result_file"
    kind: str  # "textarea", "text", "date" (from today on), "file", "corrections" (the items to correct)
    label: str
    required: bool = False
    missing: str = ""  # the refusal when a required input is blank
    placeholder: str = ""
    accept: str = ""  # for a file: the endings the browser offers


Guard = Callable[[Dossier, dt.datetime], "str | None"]  # a further condition: None, or why not


@dataclass(frozen=True)
class Transition:
    action: str  # its name in the processing log
    sources: frozenset[Status | None]
    targets: tuple[Status | None, ...]  # () stays where it is; several: the action's effect chooses
    roles: frozenset[Role]
    label: str  # in the processing log and the e-mails
    refusal: str  # why it is refused in another state
    button: str = ""  # the words on its button, where they are not the label
    slug: str = ""  # its address on the desk's dossier page; "" for actions with pages of their own
    inputs: tuple[Input, ...] = ()
    confirm: str = ""  # the question asked before it is taken; "" takes it at once
    hint: str = ""  # a sentence beside the button; %(date)s: the result date an acceptance now gives
    style: str = ""  # the button's look: "", "secondary", "danger"
    guard: Guard | None = None
    outcome: str = ""  # "result" or "refusal": the desk's decision, which ends the processing

    @property
    def button_text(self) -> str:
        return self.button or self.label

    def stays(self) -> bool:
        return not self.targets


def _due_soon(dossier: Dossier, now: dt.datetime) -> str | None:
    """Phiếu xin lỗi và hẹn lại: from the working day before the appointment, as the rules on
    the one-stop mechanism ask the office to apologise before the citizen comes for nothing.
    The day, whatever the hour: the 15:00 cut-off (engine.workdays.counted_from) moves when a
    received dossier starts counting, not which day comes before an appointment."""
    if dossier.appointment_date is None or add_working_days(now, 1) < dossier.appointment_date:
        return "Hồ sơ chưa đến hạn trả kết quả"
    return None


def _not_rated(dossier: Dossier, now: dt.datetime) -> str | None:
    """A citizen rates a dossier once: the rating feeds the statistics and is not revised."""
    return "Hồ sơ đã được đánh giá mức độ hài lòng" if dossier.rating is not None else None


_EDITABLE = frozenset({Status.DRAFT, Status.CONFIRMED, Status.SUPPLEMENT})
_AT_DESK = frozenset({Status.SUBMITTED, Status.PROCESSING})
_NOT_EDITABLE = "Hồ sơ đã nộp, không thể sửa"
_NOT_PROCESSING = "Hồ sơ không ở trạng thái đang xử lý"

# Entries of the processing log that are no transition of the table: the sealing of an old
# log into the hash chain (engine.log_chain.seal_unsealed), by the operator.
LOG_ONLY_LABELS: dict[str, str] = {"seal_log": N_("Niêm phong nhật ký xử lý")}

TRANSITIONS: tuple[Transition, ...] = (
    # -- the citizen ---------------------------------------------------------------------------
    Transition("create", frozenset({NEW}), (Status.DRAFT,), CITIZENS, N_("Tạo hồ sơ"),
               "Chỉ công dân, doanh nghiệp mới đăng ký hồ sơ"),
    Transition("edit", _EDITABLE, (), CITIZENS, N_("Cập nhật hồ sơ"), _NOT_EDITABLE),
    Transition("attach", _EDITABLE, (), CITIZENS, N_("Đính kèm giấy tờ"), _NOT_EDITABLE),
    Transition("detach", _EDITABLE, (), CITIZENS, N_("Gỡ giấy tờ đính kèm"), _NOT_EDITABLE),
    Transition("confirm", frozenset({Status.DRAFT}), (Status.CONFIRMED,), CITIZENS,
               N_("Xác nhận hồ sơ qua thư điện tử"), "Hồ sơ đã được xác nhận"),
    Transition("submit", frozenset({Status.CONFIRMED}), (Status.SUBMITTED,), CITIZENS,
               N_("Nộp hồ sơ đến Bộ phận một cửa"), "Hồ sơ đã được nộp", button=N_("Nộp hồ sơ"),
               confirm=N_("Bạn chắc chắn muốn nộp hồ sơ này?")),
    # Sent back after a supplement request: to the inbox if the desk asked before accepting,
    # else straight back to processing with the working days the clock had left.
    Transition("resubmit", frozenset({Status.SUPPLEMENT}), (Status.SUBMITTED, Status.PROCESSING), CITIZENS,
               N_("Nộp lại hồ sơ đã bổ sung"), "Hồ sơ đã được nộp", button=N_("Nộp hồ sơ"),
               confirm=N_("Bạn chắc chắn muốn nộp hồ sơ này?")),
    Transition("delete", frozenset({Status.DRAFT, Status.CONFIRMED}), (NEW,), CITIZENS, N_("Xóa hồ sơ"),
               "Hồ sơ đã nộp, không thể xóa", confirm=N_("Bạn chắc chắn muốn xóa hồ sơ này?")),
    # After the result (Quyết định 766/QĐ-TTg scores public satisfaction): once, by its citizen.
    # A refusal is a decision too, but what is rated is a result the citizen received.
    Transition("rate", frozenset({Status.DONE, Status.RETURNED}), (), CITIZENS, N_("Đánh giá mức độ hài lòng"),
               "Chỉ đánh giá được hồ sơ đã có kết quả", button=N_("Gửi đánh giá"), guard=_not_rated,
               inputs=(Input("score", "radio", N_("Mức độ hài lòng"), True, "Cần chọn mức độ hài lòng"),
                       Input("comment", "textarea", N_("Góp ý (không bắt buộc)")))),
    # -- the one-stop desk ---------------------------------------------------------------------
    Transition("accept", frozenset({Status.SUBMITTED}), (Status.PROCESSING,), DESK, N_("Tiếp nhận hồ sơ"),
               "Hồ sơ không ở trạng thái chờ tiếp nhận", slug="tiep-nhan",
               hint=N_("Tiếp nhận: cấp số biên nhận, hẹn trả kết quả ngày %(date)s.")),
    Transition("request_supplement", _AT_DESK, (Status.SUPPLEMENT,), DESK, N_("Yêu cầu bổ sung hồ sơ"),
               _NOT_PROCESSING, slug="yeu-cau-bo-sung", style="secondary",
               inputs=(Input("note", "textarea", N_("Yêu cầu bổ sung: các giấy tờ, nội dung còn thiếu"), True,
                             "Cần ghi các giấy tờ, nội dung cần bổ sung"),
                       # The fields and documents to correct, each with a note (engine.corrections):
                       # the citizen may then change only those.
                       Input("corrections", "corrections", N_("Các mục cần sửa (không bắt buộc)")))),
    Transition("reject", _AT_DESK, (Status.REJECTED,), DESK, N_("Từ chối giải quyết hồ sơ"), _NOT_PROCESSING,
               button=N_("Từ chối giải quyết"), slug="tu-choi", style="danger", outcome="refusal",
               confirm=N_("Bạn chắc chắn muốn từ chối giải quyết hồ sơ này? Người nộp sẽ nhận thông báo kèm lý do."),
               inputs=(Input("note", "textarea", N_("Lý do từ chối"), True, "Cần ghi lý do từ chối"),)),
    Transition("record_result", frozenset({Status.PROCESSING}), (Status.DONE,), DESK,
               N_("Có kết quả giải quyết"), "Hồ sơ chưa được tiếp nhận hoặc đã có kết quả",
               button=N_("Có kết quả"), slug="co-ket-qua", outcome="result",
               inputs=(Input("note", "text", N_("Kết quả giải quyết"),
                             placeholder=N_("Ví dụ: Đã cấp Giấy chứng nhận số ...")),
                       Input("result_file", "file", N_("Tệp kết quả (không bắt buộc; PDF, JPG, PNG)"),
                             accept=".pdf,.jpg,.jpeg,.png"))),
    Transition("reschedule", frozenset({Status.PROCESSING}), (), DESK,
               N_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"), "Chỉ hẹn lại hồ sơ đang xử lý",
               button=N_("Lập phiếu xin lỗi và hẹn lại"), slug="hen-lai", style="secondary", guard=_due_soon,
               hint=N_("Hồ sơ sắp đến hoặc đã quá hạn trả kết quả: lập phiếu xin lỗi và hẹn lại."),
               inputs=(Input("new_date", "date", N_("Ngày hẹn mới"), True, "Cần chọn ngày hẹn mới"),
                       Input("note", "textarea", N_("Lý do chậm trả kết quả"), True, "Cần ghi lý do chậm trả kết quả"))),
    Transition("hand_over", frozenset({Status.DONE}), (Status.RETURNED,), DESK, N_("Đã trả kết quả"),
               "Hồ sơ chưa có kết quả", slug="tra-ket-qua"),
)


# -- who sees what -------------------------------------------------------------------------------

def _closure(start: Iterable[Status | None], edges: Mapping[Status, set[Status]]) -> frozenset[Status]:
    seen: set[Status] = set()
    todo = [s for s in start if s is not None]
    while todo:
        state = todo.pop()
        if state not in seen:
            seen.add(state)
            todo.extend(edges.get(state, ()))
    return frozenset(seen)


@dataclass(frozen=True)
class Workflow:
    """The transitions, checked when built: a broken table stops start-up, not a request."""

    transitions: tuple[Transition, ...]
    _by_action: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_action: dict[str, Transition] = {}
        slugs: set[str] = set()
        for t in self.transitions:
            if t.action in by_action:
                raise ValueError(f"workflow: the action {t.action!r} is in the table twice")
            if t.slug and t.slug in slugs:
                raise ValueError(f"workflow: two actions have the address {t.slug!r}")
            if t.slug and not t.roles <= DESK:
                raise ValueError(f"workflow: {t.action!r} has a desk address but is not the desk's")
            if t.slug and t.confirm and any(i.kind == "file" for i in t.inputs):
                # The question's page cannot carry a chosen file along: it would be lost.
                raise ValueError(f"workflow: {t.action!r} asks first, so it cannot take a file")
            if not t.sources or not t.roles:
                raise ValueError(f"workflow: {t.action!r} needs its source states and its roles")
            by_action[t.action] = t
            slugs.add(t.slug)
        object.__setattr__(self, "_by_action", by_action)
        for needed in ("create", "edit", "delete", "submit"):
            if needed not in by_action:
                raise ValueError(f"workflow: the table has no {needed!r} action")

    def __getitem__(self, action: str) -> Transition:
        return self._by_action[action]

    def __contains__(self, action: object) -> bool:
        return action in self._by_action

    def by_slug(self, slug: str) -> Transition | None:
        return next((t for t in self.transitions if t.slug and t.slug == slug), None)

    def with_transitions(self, *added: Transition) -> Workflow:
        """A copy with more rows (tests, and a deployment's own steps)."""
        return Workflow(self.transitions + added)

    @cached_property
    def labels(self) -> dict[str, str]:
        return {**LOG_ONLY_LABELS, **{t.action: t.label for t in self.transitions}}

    # -- the status groups, derived ---------------------------------------------------------------

    def _edges(self) -> dict[Status, set[Status]]:
        edges: dict[Status, set[Status]] = {}
        for t in self.transitions:
            for source in t.sources - {NEW}:
                edges.setdefault(source, set()).update(s for s in t.targets if s is not None)
        return edges

    @cached_property
    def editable(self) -> frozenset[Status]:
        """The citizen may still change the form and the attachments."""
        return frozenset(self["edit"].sources)

    @cached_property
    def deletable(self) -> frozenset[Status]:
        return frozenset(self["delete"].sources)

    @cached_property
    def at_desk(self) -> frozenset[Status]:
        """Sent to the one-stop desk: every state a submitted dossier can reach."""
        return _closure(self["submit"].targets, self._edges())

    @cached_property
    def private(self) -> frozenset[Status]:
        """Not yet sent: only its citizen sees it, and the public lookup finds nothing."""
        return frozenset(Status) - self.at_desk

    @cached_property
    def undecided(self) -> frozenset[Status]:
        """The states from which the desk's decision (a result or a refusal) can still come."""
        deciding = {s for t in self.transitions if t.outcome for s in t.sources if s is not None}
        edges = self._edges()
        return frozenset(s for s in Status if _closure([s], edges) & deciding)

    def _decided(self, outcome: str) -> frozenset[Status]:
        """The states a decision of this ``outcome`` leads to and no later decision can change:
        followed from its targets up to the next state where the desk decides again."""
        deciding = {s for t in self.transitions if t.outcome for s in t.sources if s is not None}
        edges = {s: set() if s in deciding else targets for s, targets in self._edges().items()}
        targets = [s for t in self.transitions if t.outcome == outcome for s in t.targets]
        return _closure(targets, edges) - self.undecided

    @cached_property
    def finished(self) -> frozenset[Status]:
        """With a result: the states a result leads to (handed over or not) and stays in."""
        return self._decided("result")

    @cached_property
    def refused(self) -> frozenset[Status]:
        return self._decided("refusal")

    @cached_property
    def open(self) -> frozenset[Status]:
        """At the desk and not yet decided: the desk's work in hand (its inbox by default)."""
        return self.at_desk & self.undecided

    @cached_property
    def waiting_for_desk(self) -> frozenset[Status]:
        """Open, and only the desk can move it: its appointment date can be missed."""
        return frozenset(s for s in self.open
                         if all(t.roles <= DESK for t in self.transitions if s in t.sources))

    @cached_property
    def in_flight(self) -> frozenset[Status]:
        """Not decided yet: what a new version of the service's form may break."""
        return self.private | self.open

    @cached_property
    def desk_order(self) -> tuple[Status, ...]:
        """The desk's states in the order its menus list them: open, finished, refused."""
        rank = {**{s: 2 for s in self.refused}, **{s: 1 for s in self.finished}}
        return tuple(sorted(self.at_desk, key=lambda s: (rank.get(s, 0), list(Status).index(s))))

    def is_public(self, action: str) -> bool:
        """Whether the public lookup shows that this action happened: the desk's actions and
        the sending of a dossier, never the citizen's drafting (an action no longer in the
        table, from an old log, is shown; the log's own entries are not)."""
        if action in LOG_ONLY_LABELS:
            return False
        if action not in self:
            return True
        transition = self[action]
        return transition.roles <= DESK or any(t in self.at_desk for t in transition.targets)

    def is_overdue(self, dossier: Dossier, today: dt.date) -> bool:
        return (dossier.status in self.waiting_for_desk and dossier.appointment_date is not None
                and today > dossier.appointment_date)

    # -- who may do what --------------------------------------------------------------------------

    def can_view(self, dossier: Dossier, actor: Actor) -> bool:
        if actor.role == Role.CITIZEN:
            return dossier.owner == actor.id
        if dossier.status in self.private:
            return False
        if actor.role == Role.ADMIN:
            return True
        return actor.role == Role.CLERK and dossier.agency in actor.agencies

    def ensure_visible(self, dossier: Dossier | None, actor: Actor) -> Dossier:
        """The dossier, or NotFound: another citizen's dossier looks exactly like none at all."""
        if dossier is None or not self.can_view(dossier, actor):
            raise NotFound()
        return dossier

    def authorize(self, dossier: Dossier, actor: Actor, transition: Transition) -> None:
        """NotFound for what the actor may not see; Forbidden for a role that may see but not act."""
        if actor.role not in transition.roles:
            if not self.can_view(dossier, actor):
                raise NotFound()
            if transition.roles <= CITIZENS:
                raise Forbidden("Chỉ người nộp hồ sơ mới được thực hiện thao tác này")
            if actor.role not in DESK:
                raise Forbidden("Chỉ cán bộ Bộ phận một cửa mới được thực hiện thao tác này")
            raise Forbidden()
        if actor.role == Role.CITIZEN and dossier.owner != actor.id:
            raise NotFound()
        self.ensure_visible(dossier, actor)

    def check(self, dossier: Dossier, actor: Actor, action: str, now: dt.datetime | None = None,
              given: Mapping[str, Any] | None = None) -> Transition:
        """The transition ``action`` if ``actor`` may take it now, else the refusal. With
        ``given`` (the inputs posted), a required input left blank is refused too."""
        transition = self[action]
        self.authorize(dossier, actor, transition)
        if dossier.status not in transition.sources:
            raise InvalidTransition(transition.refusal)
        if transition.guard is not None:
            problem = transition.guard(dossier, now or system_clock())
            if problem:
                raise InvalidTransition(problem)
        if given is not None:
            for needed in transition.inputs:
                value = given.get(needed.name)
                if needed.required and (value is None or (isinstance(value, str) and not value.strip())):
                    raise InvalidTransition(needed.missing or f"Cần nhập {needed.label}")
        return transition

    def allowed_actions(self, dossier: Dossier, actor: Actor, now: dt.datetime | None = None) -> list[Transition]:
        """The actions ``actor`` may take on ``dossier`` now, in the table's order."""
        allowed = []
        for transition in self.transitions:
            if dossier.status not in transition.sources:
                continue
            try:
                self.check(dossier, actor, transition.action, now)
            except LifecycleError:
                continue
            allowed.append(transition)
        return allowed

    def allowed_names(self, dossier: Dossier, actor: Actor, now: dt.datetime | None = None) -> frozenset[str]:
        return frozenset(t.action for t in self.allowed_actions(dossier, actor, now))

    def desk_actions(self, dossier: Dossier, actor: Actor, now: dt.datetime | None = None) -> list[Transition]:
        """The actions the desk's dossier page offers as forms."""
        return [t for t in self.allowed_actions(dossier, actor, now) if t.slug]

    # -- the picture ------------------------------------------------------------------------------

    def mermaid(self) -> str:
        """The state diagram as Mermaid text: one arrow per pair of states, naming its actions."""
        arrows: dict[tuple[str, str], list[str]] = {}
        for t in self.transitions:
            for source in sorted(t.sources, key=_order):
                for target in (t.targets or (source,)):
                    key = ("[*]" if source is None else source.value, "[*]" if target is None else target.value)
                    arrows.setdefault(key, []).append(t.action)
        lines = ["stateDiagram-v2"]
        lines += [f'    state "{STATUS_LABELS[s]}" as {s.value}' for s in Status]
        lines += [f"    {a} --> {b}: {', '.join(actions)}" for (a, b), actions in arrows.items()]
        return "\n".join(lines) + "\n"

    def markdown_table(self) -> str:
        """The table as documentation: action, from, to, who, what it needs, its label."""
        def states(values: Iterable[Status | None], outside: str) -> str:
            return ", ".join(outside if s is None else s.value for s in sorted(values, key=_order)) or "(giữ nguyên)"

        rows = ["| action | from | to | who | needs | label |", "|---|---|---|---|---|---|"]
        for t in self.transitions:
            needs = ", ".join(f"{i.name}{'' if i.required else '?'}" for i in t.inputs)
            extra = [needs] if needs else []
            if t.guard is not None:
                extra.append(f"guard: {t.guard.__name__.lstrip('_')}")
            if t.confirm:
                extra.append("asks first")
            who = ", ".join(sorted(r.value for r in t.roles))
            rows.append(f"| {t.action} | {states(t.sources, '(mới)')} | {states(t.targets, '(xóa)')} | {who} | "
                        f"{'; '.join(extra)} | {t.label} |")
        return "\n".join(rows) + "\n"


def _order(state: Status | None) -> int:
    return -1 if state is None else list(Status).index(state)


WORKFLOW = Workflow(TRANSITIONS)
