"""An information-only service (mức độ 1, no form) on the portal: its page informs, and
nothing offers or accepts a dossier, a form or a sample for it."""

from __future__ import annotations

import re

import pytest

from engine.catalog import Catalog
from tests.engine.test_info_only import INFO, INFO_NAME, info_only_files, write
from tests.web.helpers import login, post, text
from tests.web.test_authoring import ADMIN, make_zip, upload
from web import create_app, resources


@pytest.fixture
def info_catalog(tmp_path, catalog):
    """The built-in catalogue plus the information-only service (loaded against schemas/)."""
    root = tmp_path / "schemas"
    write(root / INFO, info_only_files())
    from engine.catalog import DEFAULT_ROOT, load_folders

    services, problems = load_folders([root / INFO], DEFAULT_ROOT, {INFO: root / INFO})
    assert problems == []
    return catalog.with_version(services[0])


@pytest.fixture
def app(tmp_path, info_catalog):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "CATALOG": info_catalog,
                       "PASSWORD_PROFILE": "CHEAPEST"})


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def test_its_page_informs_and_sends_the_citizen_to_the_desk(client, info_catalog):
    service = info_catalog[INFO]
    response = client.get(f"/dich-vu/{INFO}")
    page = text(response)
    assert response.status_code == 200 and INFO_NAME in page
    assert "Thủ tục này chỉ cung cấp thông tin (mức độ 1)" in page
    # The desk's ways here; filing online is on the national portal, not on this one.
    assert f"nộp cho Bộ phận một cửa của {service.info.agency.name} (cách thức: trực tiếp; qua dịch vụ bưu chính)" in page
    assert "cũng nhận hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia" in page
    for doc in service.documents:
        assert doc.name in page
    for step in service.info.steps:
        assert step.title in page
    assert "Nhấn vào đây để đăng ký hồ sơ" not in page and "Nộp trực tuyến" not in page
    assert 'class="cta"' not in page and "button-link primary" not in page
    assert "/dang-ky-ho-so" not in page and "/ho-so-mau" not in page and "Xem hồ sơ mẫu" not in page
    assert text(client.get(f"/dich-vu/{INFO}")) == page  # the page cache serves it the same


def test_its_sample_and_form_answer_404(app, client, citizen):
    assert client.get(f"/dich-vu/{INFO}/ho-so-mau").status_code == 404
    citizen_client = signed_in(app, citizen)
    assert citizen_client.get(f"/dich-vu/{INFO}/dang-ky-ho-so").status_code == 404
    response = post(citizen_client, f"/dich-vu/{INFO}/dang-ky-ho-so", {"full_name": "A"},
                    form_page="/dich-vu/dang-ky-thanh-lap-ho-kinh-doanh/dang-ky-ho-so")
    assert response.status_code == 404
    assert resources.portal(app).dossiers.list_by_owner(citizen.id) == []


def test_search_the_field_page_and_the_home_page_list_it(client, info_catalog):
    field = info_catalog[INFO].info.field
    assert INFO_NAME in text(client.get("/?q=dieu+kien+kinh+doanh+thu+nghiem"))
    assert INFO_NAME in text(client.get("/"))
    assert INFO_NAME in text(client.get(f"/linh-vuc/{field}"))


def test_the_desk_and_its_statistics_still_render(app, clerk):
    desk = signed_in(app, clerk)
    assert desk.get("/mot-cua/").status_code == 200
    assert desk.get("/mot-cua/thong-ke").status_code == 200


def test_an_administrator_publishes_a_form_less_definition(app, admin, client):
    admin_client = signed_in(app, admin)
    response = upload(admin_client, [(make_zip(info_only_files("2.999102"), folder="thong-tin-moi"), "thong-tin.zip")])
    assert response.status_code == 302, text(response)
    preview_path = response.headers["Location"]
    preview = text(admin_client.get(preview_path))
    assert "Kiểm tra xong: định nghĩa không có lỗi" in preview
    assert "Dịch vụ chỉ cung cấp thông tin: không có biểu mẫu nhập liệu và hồ sơ mẫu" in preview
    assert "MẪU" not in preview and "/bieu-mau" not in preview
    for path in ("/bieu-mau", "/bieu-mau?trong=1", "/bieu-mau.pdf", "/ho-so-mau.pdf"):
        assert admin_client.get(preview_path + path).status_code == 404, path

    published = post(admin_client, preview_path + "/xuat-ban", {}, form_page=preview_path)
    assert published.status_code == 302 and published.headers["Location"] == ADMIN
    [version] = resources.portal(app).definitions.versions()
    assert sorted(p.name for p in version.folder.iterdir()) == ["documents.json", "service.json"]
    page = text(client.get("/dich-vu/thong-tin-moi"))
    assert "Thủ tục này chỉ cung cấp thông tin" in page
    assert client.get("/dich-vu/thong-tin-moi/ho-so-mau").status_code == 404


def test_the_two_files_uploaded_alone_with_half_a_form_are_refused(app, admin):
    admin_client = signed_in(app, admin)
    files = {**info_only_files("2.999103"), "form.schema.json": b'{"$schema": "https://json-schema.org/draft/2020-12/schema"}'}
    response = upload(admin_client, [(content, name) for name, content in files.items()], "thong-tin-nua")
    assert response.status_code == 422
    problems = re.findall(r"<li><code>(.*?)</code></li>", text(response))
    assert any(p.startswith("sample.json: /: thiếu tệp: có form.schema.json thì phải có sample.json")
               for p in problems), problems
