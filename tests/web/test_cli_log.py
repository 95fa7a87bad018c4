"""`dichvucong log verify` finds an edited, a deleted and a reordered log entry in the
portal's store; `dichvucong log seal` brings old, unsealed dossiers under the chain."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from engine import lifecycle as lc
from engine.dossier import Actor, Dossier, Role
from engine.receipts import new_receipt_number
from web import resources
from web.cli import main

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
CLERK = Actor(id="c-lan", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))


def walked(household) -> Dossier:
    d = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW)
    d = lc.confirm(d, CITIZEN, NOW + dt.timedelta(hours=1))
    d = lc.submit(d, household, CITIZEN, NOW + dt.timedelta(hours=2))
    d = lc.accept(d, household, CLERK, NOW + dt.timedelta(hours=3), new_receipt_number)
    return lc.record_result(d, CLERK, "Đã cấp giấy chứng nhận", NOW + dt.timedelta(hours=4))


@pytest.fixture
def store(app, household):
    """Four dossiers in the portal's store: one untouched, one edited, one cut, one reordered."""
    repository = resources.portal(app).dossiers
    made = [repository.add(walked(household)) for _ in range(4)]
    clean, edited, cut, swapped = made
    log = list(edited.log)
    log[3] = log[3].model_copy(update={"note": "Số biên nhận khác"})
    repository.update(edited.model_copy(update={"log": log}))
    repository.update(cut.model_copy(update={"log": [cut.log[0], *cut.log[2:]]}))
    log = list(swapped.log)
    log[1], log[2] = log[2], log[1]
    repository.update(swapped.model_copy(update={"log": log}))
    return {"clean": clean.id, "edited": edited.id, "cut": cut.id, "swapped": swapped.id}


def test_verify_finds_each_tampered_log_and_exits_1(runner, store):
    result = runner.invoke(main, ["log", "verify"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"Hồ sơ {store['edited']}: mục thứ 4 (Tiếp nhận hồ sơ) đã bị sửa: mã băm không khớp với nội dung" in lines
    assert any(line.startswith(f"Hồ sơ {store['cut']}: mục ghi ngay trước mục thứ 2 ") for line in lines)
    assert any(line.startswith(f"Hồ sơ {store['swapped']}: các mục bị đổi thứ tự so với lúc ghi: mục thứ 2 ")
               for line in lines)
    assert not any(store["clean"] in line for line in lines)
    assert lines[-1] == "Đã kiểm tra 4 hồ sơ: 3 hồ sơ có dấu hiệu bị sửa nhật ký hoặc dữ liệu."


def test_verify_named_dossiers_only(runner, store):
    result = runner.invoke(main, ["log", "verify", store["clean"]])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Đã kiểm tra 1 hồ sơ: 0 hồ sơ có dấu hiệu bị sửa nhật ký hoặc dữ liệu."]
    result = runner.invoke(main, ["log", "verify", store["clean"], "0000000000000000"])
    assert result.exit_code == 1 and "Hồ sơ 0000000000000000: không tìm thấy hồ sơ" in result.output


def test_old_dossiers_are_reported_unsealed_then_sealed_once(app, runner, household):
    repository = resources.portal(app).dossiers
    raw = walked(household).to_json()
    for entry in raw["log"]:
        del entry["prev_hash"], entry["data_hash"], entry["hash"]
    old = repository.add(Dossier.from_json(raw))

    result = runner.invoke(main, ["log", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Hồ sơ {old.id}: nhật ký chưa được niêm phong (5 mục" in result.output
    assert "1 hồ sơ chưa được niêm phong" in result.output.splitlines()[-1]

    result = runner.invoke(main, ["log", "seal"])
    assert result.exit_code == 0 and "Đã niêm phong nhật ký của 1 hồ sơ." in result.output
    assert repository.get(old.id).log[-1].action == "seal_log"
    assert runner.invoke(main, ["log", "seal"]).output.strip() == "Đã niêm phong nhật ký của 0 hồ sơ."

    result = runner.invoke(main, ["log", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Đã kiểm tra 1 hồ sơ: 0 hồ sơ có dấu hiệu bị sửa nhật ký hoặc dữ liệu."]
