"""Service information pages, as a citizen reads them."""

from __future__ import annotations

import html

import pytest

from engine.catalog import Catalog

SLUGS = [s.slug for s in Catalog.load()]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_home_lists_every_service_by_field(client, catalog):
    page = text(client.get("/"))
    assert "Dịch vụ công trực tuyến Thành phố Vị Thanh" in page
    for field, services in catalog.by_field().items():
        assert field in page
        # A long field shows its first services and links to its page, which lists them all.
        field_page = text(client.get(f"/linh-vuc/{field}"))
        for service in services:
            assert service.info.name in field_page
        assert sum(s.info.name in page for s in services) == min(len(services), 6)


def test_search_by_name_without_diacritics(client):
    page = text(client.get("/?q=ho+kinh+doanh"))
    assert "Đăng ký thành lập hộ kinh doanh" in page
    assert "Thủ tục đăng ký khai sinh" not in page


def test_search_with_no_result_says_so(client):
    page = text(client.get("/?q=<script>alert(1)</script>"))
    assert "Không tìm thấy dịch vụ nào phù hợp" in page
    assert "<script>alert(1)</script>" not in client.get("/?q=<script>alert(1)</script>").get_data(as_text=True)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_service_page_shows_what_the_user_guide_promises(client, catalog, slug):
    service = catalog[slug]
    response = client.get(f"/dich-vu/{slug}")
    assert response.status_code == 200
    page = text(response)
    for heading in ("Hướng dẫn các bước thực hiện", "Thành phần hồ sơ", "Cơ sở pháp lý", "Thời hạn giải quyết", "Phí, lệ phí"):
        assert heading in page
    assert service.info.name in page and service.info.code in page
    for doc in service.documents:
        assert doc.name in page
    for law in service.info.legal_basis:
        assert law.number in page
    assert f"Mức độ {service.info.level}" in page


def test_household_page_has_the_fee_and_days(client):
    page = text(client.get("/dich-vu/dang-ky-thanh-lap-ho-kinh-doanh"))
    assert "Lệ phí đăng ký hộ kinh doanh: theo mức do Hội đồng nhân dân cấp tỉnh quy định" in page
    assert "không được hoàn trả" in page and "3 ngày làm việc" in page


def test_a_fee_that_differs_by_method_is_shown_per_method(client):
    page = text(client.get("/dich-vu/dang-ky-tam-tru"))
    table = page.split('id="thoi-han-va-phi"')[1].split("</table>")[0]
    rows = [r for r in table.split("<tr>")[2:]]
    assert len(rows) == 2
    direct, online = (r for r in rows)
    assert "Trực tiếp" in direct and "15.000 đồng" in direct and "3 ngày làm việc" in direct
    assert "Trực tuyến" in online and "7.000 đồng" in online and "15.000" not in online
    client.set_cookie("lang", "en")
    assert "Processing time and fees by case and by way of filing" in text(client.get("/dich-vu/dang-ky-tam-tru"))


def test_a_fee_the_provincial_council_sets_is_not_shown_as_free(client):
    page = text(client.get("/dich-vu/xac-nhan-tinh-trang-hon-nhan"))
    assert "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân: theo mức do Hội đồng nhân dân cấp tỉnh quy định" in page
    assert "0 đồng" not in page
    client.set_cookie("lang", "en")
    english = text(client.get("/dich-vu/xac-nhan-tinh-trang-hon-nhan"))
    assert "as set by the provincial People's Council" in english


def test_field_page_lists_its_services(client, catalog):
    main = text(client.get("/linh-vuc/Hộ tịch")).split('id="main"')[1]
    assert catalog["dang-ky-khai-sinh"].info.name in main
    assert "Đăng ký thành lập hộ kinh doanh" not in main


def test_unknown_pages_answer_404_in_vietnamese(client):
    for url in ("/dich-vu/khong-co", "/linh-vuc/khong-co", "/khong-co"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in text(response)


def test_the_ward_list_for_the_address_picker(client):
    response = client.get("/dia-gioi/xa-phuong.json")
    wards = response.get_json()
    assert response.status_code == 200 and len(wards) == 34
    assert "Phường Vị Thanh" in wards["Thành phố Cần Thơ"]
    assert response.cache_control.max_age == 86400


def test_the_page_says_whether_the_service_is_wholly_online(client, catalog):
    page = text(client.get("/dich-vu/dang-ky-tam-tru"))
    assert "Mức độ 3 · Dịch vụ công trực tuyến toàn trình" in page
    assert "Những bước không thực hiện trực tuyến" not in page
    page = text(client.get("/dich-vu/dang-ky-khai-sinh"))
    assert "Mức độ 3 · Dịch vụ công trực tuyến một phần" in page
    reasons = page.split("Những bước không thực hiện trực tuyến", 1)[1].split("</details>", 1)[0]
    for reason in catalog["dang-ky-khai-sinh"].classification.reasons:
        assert f"<li>{reason}</li>" in reasons
    assert "Nhận kết quả tại Bộ phận một cửa" in reasons
    page = text(client.get("/dich-vu/chung-thuc-ban-sao-tu-ban-chinh"))
    assert "Mức độ 2 (không nộp hồ sơ trực tuyến)" in page and "Dịch vụ công trực tuyến toàn trình" not in page
    assert "Dịch vụ công trực tuyến một phần" not in page
    client.set_cookie("lang", "en")
    english = text(client.get("/dich-vu/dang-ky-khai-sinh"))
    assert "Level 3 · Partly online public service" in english and "Steps not done online" in english
