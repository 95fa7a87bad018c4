"""``dichvucong schemas lint``: every problem of one or more definitions, for their author.

A path may be a schemas tree (a folder with ``_defs/`` and one folder per service), or
one definition folder, inside ``schemas/`` or anywhere else (a new service being
written): its ``../_defs/`` references then resolve to the tree beside it when there
is one, else to the project's ``schemas/_defs/``.

Linting a schemas tree also checks its working calendar (:mod:`engine.work_calendar`):
a bad year file is a problem; next year's file missing is a warning, printed but not
failing the lint, since the year's announcement may not be out yet.

It also checks each service's stated ``online_service`` against the classification
derived from its definition (:mod:`engine.online_classification`): a disagreement is a
problem; a level-3 service that states none is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from engine.bundle import Problem
from engine.catalog import DEFAULT_ROOT, Service, definition_folders, is_definition, load_folders
from engine.clock import system_clock
from engine.online_classification import NAMES, OnlineKind
from engine.work_calendar import CalendarError, calendar_dir, check_folder, year_path


@dataclass
class LintReport:
    services: list[Service] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # shown, but the lint still passes

    @property
    def fields(self) -> set[str]:
        return {s.info.field for s in self.services}

    @property
    def ok(self) -> bool:
        return not self.problems


def _is_tree(folder: Path) -> bool:
    return (folder / "_defs").is_dir()


def lint(paths: list[Path], default_root: Path = DEFAULT_ROOT, today: dt.date | None = None) -> LintReport:
    """``today``: the date next year's calendar is looked for from (the clock's, if not given)."""
    report = LintReport()
    trees: set[Path] = set()
    # Group the definition folders by the schemas tree their references resolve in.
    groups: dict[Path, dict[str, Path]] = defaultdict(dict)  # root -> {name: folder}
    outside: dict[Path, dict[str, Path]] = defaultdict(dict)  # root -> extra folders
    for raw in paths:
        path = raw.resolve()
        if is_definition(path):
            root = path.parent if _is_tree(path.parent) else default_root.resolve()
            groups[root][path.name] = path
            if path.parent != root:
                outside[root][path.name] = path
        elif path.is_dir():
            root = path if _is_tree(path) else default_root.resolve()
            if root == path:
                trees.add(path)
            for folder in definition_folders(path):
                groups[root][folder.name] = folder
                if folder.parent != root:
                    outside[root][folder.name] = folder
            groups.setdefault(root, {})
        else:
            report.problems.append(Problem(str(raw), "", "không phải thư mục định nghĩa dịch vụ"))
    for root, folders in groups.items():
        services, problems = load_folders(list(folders.values()), root, outside.get(root))
        report.services.extend(services)
        report.problems.extend(problems)
        for service in services:
            _check_online_service(service, report)
    for folder in sorted({calendar_dir(beside=tree) for tree in trees}):
        _check_calendar(folder, (today or system_clock().date()).year + 1, report)
    return report


def _check_calendar(folder: Path, next_year: int, report: LintReport) -> None:
    try:
        check_folder(folder)
    except CalendarError as exc:
        report.problems.append(Problem(str(exc.path), exc.entry, exc.message))
    path = year_path(next_year, folder)
    if not path.is_file():
        report.warnings.append(Problem(str(path), "", (
            f"chưa có lịch làm việc năm {next_year}: ngày hẹn trong năm đó chỉ theo ngày lễ của gói holidays; "
            f"thêm tệp theo Thông báo nghỉ lễ, Tết năm {next_year} của Bộ Nội vụ khi được công bố")))


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _check_online_service(service: Service, report: LintReport) -> None:
    derived = service.classification
    stated = service.info.online_service
    file = _display(service.folder / "service.json")
    if stated is None:
        if derived.kind is not None:
            report.warnings.append(Problem(file, "/online_service", (
                f"dịch vụ mức độ 3 chưa khai báo 'online_service'; theo định nghĩa là "
                f"\"{derived.kind}\" ({NAMES[derived.kind].lower()})")))
        return
    if stated == derived.kind:
        return
    if derived.kind is None:
        message = f"khai báo \"{stated}\" nhưng {derived.reasons[0].lower()}"
    elif derived.kind is OnlineKind.PARTIAL:
        message = (f"khai báo \"{stated}\" nhưng theo định nghĩa là \"{derived.kind}\": "
                   + "; ".join(derived.reasons))
    else:
        message = (f"khai báo \"{stated}\" nhưng theo định nghĩa là \"{derived.kind}\": nộp, thanh toán "
                   "và nhận kết quả đều trực tuyến")
    report.problems.append(Problem(file, "/online_service", message))
