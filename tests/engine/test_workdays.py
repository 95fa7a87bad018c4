"""Appointment dates skip weekends and Vietnamese public holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.work_calendar import CalendarError
from engine.workdays import add_working_days, is_working_day, use_calendar_dir, working_days_between

D = dt.date


@pytest.mark.parametrize(
    "start,days,expected,why",
    [
        (D(2026, 11, 25), 3, D(2026, 11, 30), "Wednesday + 3 skips the weekend"),
        (D(2026, 11, 27), 3, D(2026, 12, 2), "Friday + 3 is Wednesday"),
        (D(2026, 11, 28), 1, D(2026, 11, 30), "accepted on Saturday: Monday is day 1"),
        (D(2026, 2, 12), 3, D(2026, 2, 24), "Tết 2026: 14-22 February off"),
        (D(2026, 2, 13), 1, D(2026, 2, 23), "the day before Tết: next working day is after it"),
        (D(2027, 2, 3), 2, D(2027, 2, 12), "Tết 2027: 4-10 February off"),
        (D(2026, 4, 24), 2, D(2026, 4, 29), "Hùng Kings' day 26/4 on a Sunday is observed on Monday 27/4"),
        (D(2026, 4, 29), 1, D(2026, 5, 4), "30/4 and 1/5 then the weekend"),
        (D(2026, 8, 28), 1, D(2026, 9, 3), "31/8 (moved day off), 1/9 and 2/9"),
        (D(2026, 12, 31), 1, D(2027, 1, 4), "New Year's Day then the weekend"),
        (D(2025, 4, 25), 1, D(2025, 4, 26), "Saturday 26/4/2025 was worked in exchange for 2/5"),
    ],
)
def test_add_working_days(start, days, expected, why):
    assert add_working_days(start, days) == expected, why


def test_zero_days_is_the_same_day_or_the_next_working_day():
    assert add_working_days(D(2026, 11, 25), 0) == D(2026, 11, 25)
    assert add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 30)
    assert add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 23)


def test_datetimes_count_from_their_date():
    assert add_working_days(dt.datetime(2026, 11, 27, 16, 30), 3) == D(2026, 12, 2)


def test_public_holidays_are_not_working_days():
    for day in [D(2026, 1, 1), D(2026, 2, 17), D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 2)]:
        assert not is_working_day(day), day


def test_working_days_between_inverts_add():
    start = D(2026, 2, 10)
    for days in range(0, 30):
        end = add_working_days(start, days)
        if days:
            assert working_days_between(start, end) == days


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), -1)


# -- the year's announcement (schemas/calendar/<year>.toml) over the package --------------

def test_the_2026_new_year_announcement_overrides_the_package():
    # The package alone counts Friday 2/1 as worked and Saturday 10/1 as off; the
    # announcement gave 1-4 January off and had Saturday 10 January worked for 2 January.
    assert [is_working_day(D(2026, 1, d)) for d in (1, 2, 3, 4, 5)] == [False, False, False, False, True]
    assert is_working_day(D(2026, 1, 10))
    assert not is_working_day(D(2026, 1, 11))


@pytest.mark.parametrize("start,days,expected", [
    (D(2025, 12, 31), 1, D(2026, 1, 5)),  # not Friday 2 January
    (D(2025, 12, 31), 5, D(2026, 1, 9)),
    (D(2025, 12, 31), 6, D(2026, 1, 10)),  # the Saturday worked counts
    (D(2025, 12, 31), 7, D(2026, 1, 12)),
    (D(2026, 1, 9), 1, D(2026, 1, 10)),
    (D(2026, 1, 1), 0, D(2026, 1, 5)),
])
def test_appointments_across_the_2026_new_year(start, days, expected):
    assert add_working_days(start, days) == expected
    if days:
        assert working_days_between(start, expected) == days


def test_working_days_between_counts_the_saturday_worked_and_not_the_swapped_friday():
    assert working_days_between(D(2026, 1, 1), D(2026, 1, 11)) == 6  # 5-9 and 10 January


@pytest.fixture
def operator_folder(tmp_path):
    """An operator's own folder of year files (what DVC_CALENDAR_DIR names), empty at first."""
    use_calendar_dir(tmp_path)
    yield tmp_path
    use_calendar_dir(None)


def test_an_operator_folder_replaces_the_built_in_one(operator_folder):
    (operator_folder / "2027.toml").write_text(
        '[[days_off]]\ndate = 2027-03-03\nreason = "Nghỉ theo thông báo"\n'
        '[[working_days]]\ndate = 2027-01-01\nreason = "Thử: ngày lễ của gói thành ngày làm việc"\n'
        '[[working_days]]\ndate = 2027-03-06\nreason = "Làm bù cho ngày 3/3"\n', encoding="utf-8")
    assert not is_working_day(D(2027, 3, 3))  # a Wednesday off
    assert is_working_day(D(2027, 3, 6))  # a Saturday worked
    assert is_working_day(D(2027, 1, 1))  # New Year's Day in the package, worked in the file
    assert add_working_days(D(2027, 3, 2), 1) == D(2027, 3, 4)
    # That folder holds no 2026 file: the package alone, so Friday 2 January counts again.
    assert is_working_day(D(2026, 1, 2))


def test_a_bad_year_file_stops_the_count_naming_it(operator_folder):
    (operator_folder / "2027.toml").write_text('[[days_off]]\ndate = 2028-01-01\nreason = "Sai năm"\n',
                                               encoding="utf-8")
    with pytest.raises(CalendarError, match=r"2027\.toml: days_off\[0\]: .*không thuộc năm 2027"):
        add_working_days(D(2026, 12, 30), 3)
