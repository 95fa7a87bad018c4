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
    for service in catalog:
        assert service.info.name in page
    for field in catalog.by_field():
        assert field in page


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
