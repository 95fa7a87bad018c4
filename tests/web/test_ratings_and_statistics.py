"""The citizen's satisfaction rating after the result, and the desk's statistics per month:
the chart, its table and the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.web.helpers import PASSWORD, add_user, login, post, text
from tests.web.test_desk import WED, act, at, stored, submit_one
from web import resources


@pytest.fixture
def clock(app):
    resources.portal(app).clock = at(WED)
    return app


@pytest.fixture
def desk(app, clerk):
    client = app.test_client()
    assert login(client, clerk.username, PASSWORD).status_code == 302
    return client


@pytest.fixture
def mine(app, citizen):
    client = app.test_client()
    assert login(client, citizen.username, PASSWORD).status_code == 302
    return client


@pytest.fixture
def with_result(app, clock, desk, citizen, household):
    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "tiep-nhan")
    act(desk, dossier.id, "co-ket-qua", note="Đã cấp Giấy chứng nhận số 42")
    assert stored(app, dossier.id).status.value == "done"
    return dossier


def rate(client, dossier_id, **form):
    return post(client, f"/ho-so/{dossier_id}/danh-gia", form, form_page=f"/ho-so/{dossier_id}")


def test_the_citizen_rates_a_dossier_with_its_result_once(app, mine, desk, with_result):
    page = text(mine.get(f"/ho-so/{with_result.id}"))
    assert "Đánh giá mức độ hài lòng" in page
    assert page.count('type="radio" ') == 5 and "Rất không hài lòng" in page and "Rất hài lòng" in page
    response = rate(mine, with_result.id, score="4", comment="Cán bộ hướng dẫn tận tình.")
    assert response.status_code == 303
    rated = stored(app, with_result.id)
    assert rated.rating.score == 4 and rated.rating.comment == "Cán bộ hướng dẫn tận tình."
    entry = rated.log[-1]
    assert entry.action == "rate" and entry.note == "4/5 — Hài lòng"  # the comment stays out of the log
    page = text(mine.get(f"/ho-so/{with_result.id}"))
    assert "Cảm ơn bạn đã đánh giá" in page and 'name="score"' not in page and "4/5 — Hài lòng" in page
    # A second attempt (an old tab) is refused and changes nothing.
    again = rate(mine, with_result.id, score="1", comment="Đổi ý")
    assert again.status_code == 303
    assert "đã được đánh giá" in text(mine.get(f"/ho-so/{with_result.id}"))
    assert stored(app, with_result.id).rating.score == 4 and len(stored(app, with_result.id).log) == len(rated.log)
    # The desk sees the rating and its comment on the dossier page.
    desk_page = text(desk.get(f"/mot-cua/ho-so/{with_result.id}"))
    assert "4/5 — Hài lòng" in desk_page and "Cán bộ hướng dẫn tận tình." in desk_page


def test_no_rating_before_the_result(app, clock, mine, citizen, household):
    dossier = submit_one(app, citizen, household)
    assert 'name="score"' not in text(mine.get(f"/ho-so/{dossier.id}"))
    rate(mine, dossier.id, score="5")
    assert "Chỉ đánh giá được hồ sơ đã có kết quả" in text(mine.get(f"/ho-so/{dossier.id}"))
    assert stored(app, dossier.id).rating is None


def test_only_the_owner_rates(app, desk, with_result):
    other = add_user(app, "congdan2", full_name="Lê Thị Hoa", id_number="093195009999")
    client = app.test_client()
    login(client, other.username, PASSWORD)
    token_page = "/quan-ly-ho-so"
    assert post(client, f"/ho-so/{with_result.id}/danh-gia", {"score": "1"}, form_page=token_page).status_code == 404
    assert post(desk, f"/ho-so/{with_result.id}/danh-gia", {"score": "1"}, form_page="/mot-cua/").status_code == 404
    assert stored(app, with_result.id).rating is None


def test_a_rating_needs_a_point_of_the_scale_and_a_bounded_comment(app, mine, with_result):
    rate(mine, with_result.id, comment="Không chọn mức")
    assert "Cần chọn mức độ hài lòng" in text(mine.get(f"/ho-so/{with_result.id}"))
    rate(mine, with_result.id, score="9")
    rate(mine, with_result.id, score="3", comment="x" * 1001)
    assert "không quá 1000 ký tự" in text(mine.get(f"/ho-so/{with_result.id}"))
    assert stored(app, with_result.id).rating is None


def test_a_rating_without_a_csrf_token_is_refused(app, mine, with_result):
    assert mine.post(f"/ho-so/{with_result.id}/danh-gia", data={"score": "5"}).status_code == 400
    assert stored(app, with_result.id).rating is None


def test_the_statistics_draw_the_months_and_count_the_rating(app, mine, desk, citizen, household, with_result):
    rejected = submit_one(app, citizen, household)
    act(desk, rejected.id, "tu-choi", note="Trùng hồ sơ", **{"xac-nhan": "1"})
    before = text(desk.get("/mot-cua/thong-ke"))  # computed and kept; the rating must still count below
    assert "Hài lòng (1-5)" in before
    rate(mine, with_result.id, score="5")
    page = desk.get("/mot-cua/thong-ke").get_data(as_text=True)
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-months-title chart-months-desc"' in svg
    assert '<title id="chart-months-title">' in svg and "<desc " in svg
    assert "style=" not in svg  # the content security policy forbids style attributes
    assert svg.count('class="bar-received"') == 1 and svg.count('class="dot-satisfaction"') == 1
    table = re.search(r'<table class="months">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    assert len(rows) == 12 and rows[-1][0] == "11/2026"
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", rows[-1][1], re.S)]
    assert cells == ["2", "1", "0", "1", "100%", "5.0 (1 lượt)"]
    assert all(re.sub(r"<[^>]+>", "", c).strip() == "0" for c in re.findall(r"<td>(.*?)</td>", rows[0][1])[:4])


def test_the_statistics_csv_has_one_row_per_service_and_month(app, mine, desk, with_result):
    rate(mine, with_result.id, score="2", comment="Chờ lâu")
    response = desk.get("/mot-cua/thong-ke/xuat-csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    content = response.get_data(as_text=True)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0] == ["Mã dịch vụ", "Dịch vụ", "Tháng", "Đã tiếp nhận", "Trực tuyến", "Tỷ lệ trực tuyến (%)",
                       "Đúng hạn", "Trễ hạn", "Từ chối", "Số lượt đánh giá", "Mức độ hài lòng trung bình (1-5)"]
    assert rows[1:] == [[with_result.service, "Đăng ký thành lập hộ kinh doanh", "2026-11", "1", "1", "100.0",
                         "1", "0", "0", "1", "2.00"]]


def test_a_citizen_gets_no_statistics(mine):
    assert mine.get("/mot-cua/thong-ke/xuat-csv").status_code == 403
