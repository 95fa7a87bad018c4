"""The working calendar in the portal: ``dichvucong calendar YEAR`` (the year's days off and
days worked in exchange, with their source), and a bad year file stopping the start."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.work_calendar import CalendarError
from engine.workdays import use_calendar_dir
from web import create_app
from web.cli import main


@pytest.fixture
def operator_folder(monkeypatch, tmp_path):
    """DVC_CALENDAR_DIR naming a folder of the operator's own (read afresh: the years read
    before are forgotten)."""
    monkeypatch.setenv("DVC_CALENDAR_DIR", str(tmp_path))
    use_calendar_dir(None)
    yield tmp_path
    monkeypatch.delenv("DVC_CALENDAR_DIR")
    use_calendar_dir(None)


def run(*args):
    return CliRunner().invoke(main, ["calendar", *args])


def test_2026_shows_the_announced_new_year_and_the_package_rest():
    result = run("2026")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "schemas/calendar/2026.toml" in lines[1]
    days_off = lines[lines.index("Ngày nghỉ lễ, Tết và ngày nghỉ theo thông báo:"):lines.index("Ngày làm việc bù:")]
    worked = lines[lines.index("Ngày làm việc bù:"):]
    assert any("Thứ Sáu" in line and "02/01/2026" in line and "[tệp]" in line for line in days_off), days_off
    assert any("17/02/2026" in line and "Tết Nguyên Đán" in line and "[gói holidays]" in line
               for line in days_off), days_off
    assert any("Thứ Bảy" in line and "10/01/2026" in line and "Làm bù cho ngày 2/1" in line and "[tệp]" in line
               for line in worked), worked
    assert not any("10/01/2026" in line for line in days_off)
    assert lines[-1].startswith("Số ngày làm việc: ")


def test_the_count_follows_the_operators_file(operator_folder):
    before = run("2027")
    assert "Nguồn: gói holidays" in before.output and "chưa có tệp" in before.output
    (operator_folder / "2027.toml").write_text(
        '[[days_off]]\ndate = 2027-03-03\nreason = "Nghỉ theo thông báo"\n', encoding="utf-8")
    use_calendar_dir(None)
    after = run("2027")
    assert after.exit_code == 0, after.output
    assert f"Nguồn: tệp {operator_folder / '2027.toml'}" in after.output
    assert "Thứ Tư   03/03/2027  Nghỉ theo thông báo  [tệp]" in after.output
    def count(result):
        return int(result.output.splitlines()[-1].removeprefix("Số ngày làm việc: "))

    assert count(after) == count(before) - 1  # a Wednesday off


def test_a_bad_file_is_named_and_the_command_fails(operator_folder):
    (operator_folder / "2027.toml").write_text('[[working_days]]\ndate = 2027-01-09\n', encoding="utf-8")
    result = run("2027")
    assert result.exit_code == 1
    assert f"{operator_folder / '2027.toml'}: working_days[0]: thiếu lý do" in result.output


def test_a_bad_year_file_stops_the_portal_at_start(operator_folder, catalog, tmp_path):
    (operator_folder / "2030.toml").write_text('[[days_off]]\ndate = 2030-09-02\nreason = ""\n', encoding="utf-8")
    with pytest.raises(CalendarError, match=r"2030\.toml: days_off\[0\]: thiếu lý do"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "CATALOG": catalog})
