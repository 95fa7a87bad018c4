"""A rating given and counted, the charts drawn (issue 15), at desktop and at phone width.

A household business dossier with its result (built through the engine, as the desk walk
leaves it). The citizen opens it from "Quản lý hồ sơ", rates it "Hài lòng" with a comment
(a plain form: radio buttons, a text box, a button) and sees the rating in place of the
form. The clerk opens "Thống kê": the chart of the months is drawn (an SVG image with its
name), the month's row of the table beside it counts the dossier and the rating, and the
CSV of the same figures downloads.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.dossier import Role
from engine.receipts import new_receipt_number
from tests.e2e.test_desk_walk import SERVICE, menu, sign_in, status_of, submitted_dossier
from tests.e2e.walk import Walk, expect
from tests.web.helpers import add_user
from web import resources

COMMENT = "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn."


def with_result(app, household):
    """The citizen's dossier, accepted and with its result, by the clerk ``canbo``."""
    citizen = submitted_dossier(app, household)
    clerk = add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"],
                     phone=None)
    store = resources.portal(app).dossiers
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    dossier = store.list_by_owner(citizen.id)[0]
    dossier = store.update(lifecycle.accept(dossier, household, to_actor(clerk), now, new_receipt_number))
    store.update(lifecycle.record_result(dossier, to_actor(clerk), "Đã cấp Giấy chứng nhận", now))
    return now


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_rating_given_and_counted_in_the_charts(app, portal, household, open_context, width):
    now = with_result(app, household)
    citizen_page = open_context(width).new_page()
    clerk_page = open_context(width).new_page()
    person = Walk(citizen_page, "rating_and_charts", width)
    clerk = person.also(clerk_page)

    # The citizen: Quản lý hồ sơ -> the dossier -> Đánh giá mức độ hài lòng
    sign_in(person, portal, "congdan", "cong-dan")
    person.press(menu(citizen_page).get_by_role("link", name="Quản lý hồ sơ"))
    row = citizen_page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Có kết quả")
    person.press(row.get_by_role("link", name="Xem thông tin hồ sơ"))
    rating = citizen_page.get_by_role("region", name="Đánh giá mức độ hài lòng")
    scale = rating.get_by_role("group", name="Bạn hài lòng thế nào với việc giải quyết hồ sơ này?")
    expect(scale.get_by_role("radio")).to_have_count(5)
    person.step("cong-dan-danh-gia")
    scale.get_by_label("Hài lòng", exact=True).check()
    rating.get_by_label("Góp ý (không bắt buộc)").fill(COMMENT)
    person.press(rating.get_by_role("button", name="Gửi đánh giá"))
    expect(citizen_page.get_by_role("status")).to_contain_text("Cảm ơn bạn đã đánh giá mức độ hài lòng")
    rating = citizen_page.get_by_role("region", name="Đánh giá mức độ hài lòng")
    expect(rating).to_contain_text("4/5 — Hài lòng")
    expect(rating).to_contain_text(COMMENT)
    expect(rating.get_by_role("radio")).to_have_count(0)  # once only
    log = citizen_page.locator("ol.log > li").last  # "Nhật ký xử lý"
    expect(log).to_contain_text("Đánh giá mức độ hài lòng")
    expect(log).not_to_contain_text(COMMENT)
    person.step("cong-dan-da-danh-gia")

    # The clerk: Thống kê -> the chart and its table count the dossier and the rating
    sign_in(clerk, portal, "canbo", "can-bo")
    clerk.press(menu(clerk_page).get_by_role("link", name="Bộ phận một cửa"))
    clerk.press(clerk_page.get_by_role("complementary", name="Bộ phận một cửa").get_by_role("link", name="Thống kê"))
    chart = clerk_page.get_by_role("img", name="Hồ sơ theo tháng: Tất cả dịch vụ")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 250 and box["height"] > 100, box
    expect(chart.locator("rect[class=bar-received]")).to_have_count(1)
    expect(chart.locator("circle[class=dot-satisfaction]")).to_have_count(1)
    month = f"{now:%m/%Y}"
    table = clerk_page.get_by_role("table", name="Số liệu của biểu đồ: Tất cả dịch vụ")
    this_month = table.get_by_role("row").filter(has=clerk_page.get_by_role("rowheader", name=month))
    expect(this_month.get_by_role("cell")).to_have_text(["1", "1", "0", "0", "100%", "4.0 (1 lượt)"])
    clerk.step("can-bo-thong-ke")
    # The same chart for the one service, chosen without JavaScript (a GET form)
    clerk_page.get_by_label("Dịch vụ", exact=True).select_option(label=SERVICE)
    clerk.press(clerk_page.get_by_role("button", name="Xem"))
    expect(clerk_page.get_by_role("img", name=f"Hồ sơ theo tháng: {SERVICE}")).to_be_visible()
    clerk.step("can-bo-thong-ke-mot-dich-vu")
    with clerk_page.expect_download() as download:
        clerk_page.get_by_role("link", name="Tải số liệu theo tháng (CSV)").click()
    content = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert content[0].startswith("Mã dịch vụ,Dịch vụ,Tháng,Đã tiếp nhận") and len(content) == 2, content
    assert content[1].endswith(",1,1,100.0,1,0,0,1,4.00"), content

    # The desk's dossier page shows the rating and its comment
    clerk.press(clerk_page.get_by_role("complementary", name="Bộ phận một cửa").get_by_role("link", name="Có kết quả"))
    clerk.press(clerk_page.get_by_role("row").filter(has_text=SERVICE).get_by_role("link").first)
    expect(status_of(clerk_page)).to_have_text("Có kết quả")
    expect(clerk_page.get_by_role("main")).to_contain_text("4/5 — Hài lòng")
    expect(clerk_page.get_by_role("main")).to_contain_text(COMMENT)
    clerk.step("can-bo-ho-so-da-danh-gia")
    person.finish()
