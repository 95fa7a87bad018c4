"""The operator's year files: read, checked, and a bad one refused with the file and entry named."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.work_calendar import DEFAULT_DIR, CalendarError, calendar_dir, check_folder, load_year

D = dt.date


def write(folder, year, text):
    path = folder / f"{year}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_2026_file_holds_the_new_year_announcement():
    found = load_year(2026, DEFAULT_DIR)
    assert [e.day for e in found.days_off] == [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)]
    assert [e.day for e in found.working_days] == [D(2026, 1, 10)]
    assert all(e.reason for e in found.days_off + found.working_days)
    assert "2/1" in found.working_days[0].reason


def test_a_year_without_a_file_is_none(tmp_path):
    assert load_year(2031, tmp_path) is None


def test_the_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DVC_CALENDAR_DIR", str(tmp_path))
    assert calendar_dir() == tmp_path
    monkeypatch.delenv("DVC_CALENDAR_DIR")
    assert calendar_dir() == DEFAULT_DIR


GOOD_ENTRY = '[[days_off]]\ndate = 2027-01-01\nreason = "Tết Dương lịch"\n'


@pytest.mark.parametrize("text,entry,words", [
    ('[[days_off]]\ndate = 2026-12-31\nreason = "Nhầm năm"\n', "days_off[0]", "không thuộc năm 2027"),
    ('[[working_days]]\ndate = 2027-01-09\nreason = "  "\n', "working_days[0]", "thiếu lý do"),
    ('[[working_days]]\ndate = 2027-01-09\n', "working_days[0]", "thiếu lý do"),
    (GOOD_ENTRY + '[[working_days]]\ndate = 2027-01-01\nreason = "Làm bù"\n', "working_days[0]",
     "cũng có trong days_off"),
    (GOOD_ENTRY + GOOD_ENTRY, "days_off[1]", "trùng"),
    ('[[days_off]]\ndate = "2027-01-01"\nreason = "Chuỗi, không phải ngày"\n', "days_off[0]", "không có dấu ngoặc kép"),
    ('[[days_off]]\ndate = 2027-01-01\nreason = "x"\nly_do = "y"\n', "days_off[0]", "ly_do"),
    ('[[day_off]]\ndate = 2027-01-01\nreason = "Viết sai tên danh sách"\n', "day_off", "không được phép"),
    ('days_off = "2027-01-01"\n', "days_off", "danh sách"),
])
def test_a_bad_file_names_the_file_and_the_entry(tmp_path, text, entry, words):
    path = write(tmp_path, 2027, text)
    with pytest.raises(CalendarError) as caught:
        load_year(2027, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {entry}"), message
    assert words in message, message


def test_a_file_that_is_not_toml_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, 2027, "[[days_off]\ndate = 2027-01-01\n")
    with pytest.raises(CalendarError, match="sai cú pháp TOML") as caught:
        load_year(2027, tmp_path)
    assert str(path) in str(caught.value) and "line 1" in str(caught.value)


def test_the_folder_check_reads_every_year_and_refuses_a_name_that_is_no_year(tmp_path):
    write(tmp_path, 2027, GOOD_ENTRY)
    assert [f.year for f in check_folder(tmp_path)] == [2027]
    (tmp_path / "2028-nhap.toml").write_text("", encoding="utf-8")
    with pytest.raises(CalendarError, match="2028-nhap.toml: tên tệp phải là năm"):
        check_folder(tmp_path)
