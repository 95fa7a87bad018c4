"""Agency authoring with versions: upload, check, preview, publish, withdraw (/quan-tri/dich-vu)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import web
from engine import lifecycle
from engine.accounts import to_actor
from engine.catalog import DEFAULT_ROOT, FILES, DefinitionError
from engine.dossier import Status
from renderers.pdf import render_dossier_html, render_dossier_pdf
from tests.renderers.pdf_helpers import flat, pages_text
from tests.web.helpers import login, post, text
from tests.web.test_dossiers import create_dossier, fields_of, fill
from operations import publishing
from web import create_app
from web.cli import main as cli
from web import authoring, resources

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
EXTRACT = "cap-ban-sao-trich-luc-ho-tich"
ADMIN = "/quan-tri/dich-vu"
UPLOAD = f"{ADMIN}/tai-len"
VN = dt.timezone(dt.timedelta(hours=7))
BUSINESS_EMAIL = "quancomthanhtam@gmail.com"  # the sample's business.email (the owner's differs)


# -- definitions to upload -----------------------------------------------------------------------

def definition(slug: str = HOUSEHOLD, form=None, service=None, sample=None) -> dict[str, bytes]:
    """The built-in definition's four files, each optionally changed by a function."""
    files = {}
    for name, change in (("service.json", service), ("documents.json", None), ("form.schema.json", form),
                         ("sample.json", sample)):
        content = json.loads((DEFAULT_ROOT / slug / name).read_text(encoding="utf-8"))
        if change is not None:
            change(content)
        files[name] = json.dumps(content, ensure_ascii=False, indent=2).encode()
    return files


def without_business_email(form: dict) -> None:
    """Version 2 of the household form: the business's e-mail removed, and nothing else allowed."""
    business = form["properties"]["business"]
    del business["properties"]["email"]
    business["additionalProperties"] = False


def without_sample_business_email(sample: dict) -> None:
    del sample["business"]["email"]


def version_2() -> dict[str, bytes]:
    return definition(form=without_business_email, sample=without_sample_business_email)


def new_service(info: dict) -> None:
    info.update(code="2.999001", name="Cấp bản sao Trích lục hộ tịch (thử nghiệm)")


def make_zip(entries: dict[str, bytes], folder: str | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        if folder:
            archive.writestr(folder + "/", b"")
        for name, content in entries.items():
            archive.writestr(f"{folder}/{name}" if folder else name, content)
    return out.getvalue()


def upload(client, files: list[tuple[bytes, str]], slug: str = ""):
    data = {"slug": slug, "files": [(io.BytesIO(content), name) for content, name in files]}
    return post(client, UPLOAD, data, content_type="multipart/form-data")


def publish_files(client, files: dict[str, bytes], slug: str):
    """Upload the files, open the preview, press "Xuất bản"; returns the preview page and the list page."""
    response = upload(client, [(content, name) for name, content in files.items()], slug)
    assert response.status_code == 302, text(response)
    preview_path = response.headers["Location"]
    preview = client.get(preview_path)
    assert preview.status_code == 200
    published = post(client, f"{preview_path}/xuat-ban", {}, form_page=preview_path)
    assert published.status_code == 302 and published.headers["Location"] == ADMIN
    return preview, client.get(ADMIN)


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert login(client, admin.username).status_code == 302
    return client


@pytest.fixture
def citizen_client(app, citizen):
    client = app.test_client()
    assert login(client, citizen.username).status_code == 302
    return client


def store(app):
    return resources.portal(app).dossiers


def uploads_left(app) -> list[Path]:
    return list(authoring.uploads(app).root.iterdir())


# -- who may -------------------------------------------------------------------------------------

def test_only_administrators_may_author(app, client, clerk, citizen, admin):
    pages = [ADMIN, UPLOAD, f"{ADMIN}/xem-truoc/{'a' * 22}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    for user in (clerk, citizen):
        other = app.test_client()
        login(other, user.username)
        for path in pages:
            assert other.get(path).status_code == 403, path
        token_page = "/quan-ly-ho-so"
        assert post(other, f"{ADMIN}/{HOUSEHOLD}/ngung-nhan-ho-so", {}, form_page=token_page).status_code == 403
        assert upload(other, [(make_zip(definition()), "dv.zip")], HOUSEHOLD).status_code == 403
        assert "Quản trị" not in text(other.get("/"))
    assert resources.portal(app).definitions.versions() == [] and uploads_left(app) == []

    login(client, admin.username)
    home = text(client.get("/"))
    assert f'href="{ADMIN}">Quản trị</a>' in home
    listing = text(client.get(ADMIN))
    assert "Đăng ký thành lập hộ kinh doanh" in listing and "1.001612" in listing and "Phiên bản 1" in listing
    assert "Đang nhận hồ sơ" in listing and "Ngừng nhận hồ sơ mới" in listing


# -- upload and check ------------------------------------------------------------------------------

def test_a_zip_of_a_new_service_folder_is_checked_previewed_and_published(app, admin_client):
    files = definition(EXTRACT, service=new_service)
    response = upload(admin_client, [(make_zip(files, folder="trich-luc-thu-nghiem"), "trich-luc.zip")])
    assert response.status_code == 302
    preview = text(admin_client.get(response.headers["Location"]))
    assert "Kiểm tra xong: định nghĩa không có lỗi" in preview
    assert "Phiên bản 1 (dịch vụ mới)" in preview and "Thay đổi so với" not in preview
    assert ">Xuất bản</button>" in preview and ">Bỏ qua</a>" in preview and "MẪU" in preview

    preview_path = response.headers["Location"]
    published = post(admin_client, preview_path + "/xuat-ban", {}, form_page=preview_path)
    listing = text(admin_client.get(published.headers["Location"]))
    assert "Đã xuất bản phiên bản 1" in listing and "Cấp bản sao Trích lục hộ tịch (thử nghiệm)" in listing
    assert uploads_left(app) == []

    # Stored bundled: later edits of schemas/_defs never change it.
    [version] = resources.portal(app).definitions.versions()
    assert (version.slug, version.number) == ("trich-luc-thu-nghiem", 1)
    stored = (version.folder / "form.schema.json").read_text(encoding="utf-8")
    refs = re.findall(r'"\$ref": "([^"]*)"', stored)
    assert refs and all(ref.startswith("#/") for ref in refs), refs
    assert "#/$defs/_defs.common.schema.json/$defs/" in stored
    assert (version.folder / "service.json").read_bytes() == files["service.json"]

    # Citizens see it at once.
    assert "Cấp bản sao Trích lục hộ tịch (thử nghiệm)" in text(admin_client.get("/"))
    page = text(admin_client.get("/dich-vu/trich-luc-thu-nghiem"))
    assert "Nhấn vào đây để đăng ký hồ sơ" in page and "2.999001" in page


def test_the_four_files_uploaded_separately_with_the_slug_typed(app, admin_client):
    files = definition(EXTRACT, service=new_service)
    response = upload(admin_client, [(content, name) for name, content in files.items()], "trich-luc-rieng")
    assert response.status_code == 302
    assert "Phiên bản 1 (dịch vụ mới)" in text(admin_client.get(response.headers["Location"]))


def test_a_zip_with_the_files_at_its_root_needs_the_slug(admin_client):
    archive = make_zip(definition(EXTRACT, service=new_service))
    response = upload(admin_client, [(archive, "dv.zip")])
    assert response.status_code == 400 and "Hãy nhập mã dịch vụ" in text(response)
    response = upload(admin_client, [(archive, "dv.zip")], "Trích lục")
    assert response.status_code == 400 and "Mã dịch vụ “Trích lục” không hợp lệ" in text(response)
    assert upload(admin_client, [(archive, "dv.zip")], "trich-luc-goc").status_code == 302


def test_a_broken_definition_lists_every_problem_and_offers_nothing_else(app, admin_client):
    def break_form(form):
        form["requried"] = ["copies"]
        form["properties"]["copies"]["minimun"] = 1

    def break_sample(sample):
        sample["copies"] = 0

    files = definition(EXTRACT, service=new_service, form=break_form, sample=break_sample)
    files["documents.json"] = b'{"documents": [}'
    response = upload(admin_client, [(make_zip(files, folder="trich-luc-loi"), "loi.zip")])
    assert response.status_code == 422
    page = text(response)
    problems = re.findall(r"<li><code>(.*?)</code></li>", page)
    assert any(p.startswith("documents.json: /: JSON không hợp lệ ở dòng 1") for p in problems), problems
    assert any(p.startswith("form.schema.json: /requried: ") for p in problems), problems
    assert any(p.startswith("form.schema.json: /properties/copies/minimun: ") for p in problems), problems
    assert any(p.startswith("sample.json: /copies: ") for p in problems), problems
    assert f"Định nghĩa có {len(problems)} lỗi" in page
    assert ">Xuất bản</button>" not in page and "/xem-truoc/" not in page
    assert uploads_left(app) == []


def test_a_missing_file_and_a_national_code_of_another_service_are_problems(admin_client):
    files = definition(EXTRACT)  # keeps 2.000635, the built-in service's code
    del files["sample.json"]
    response = upload(admin_client, [(content, name) for name, content in files.items()], "trich-luc-trung-ma")
    page = text(response)
    assert response.status_code == 422
    assert "sample.json: /: thiếu tệp" in page
    assert f"service.json: /code: mã thủ tục 2.000635 đã được dùng cho dịch vụ {EXTRACT}" in page


def zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return out.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


GOOD = definition(EXTRACT, service=new_service)
REFUSED = {
    "traversal": ([(zip_with([(f"dv/{n}", c) for n, c in GOOD.items()] + [("dv/../evil.json", b"{}")]), "dv.zip")],
                  "ra ngoài thư mục (“dv/../evil.json”)"),
    "absolute path": ([(zip_with([("/etc/service.json", b"{}")]), "dv.zip")],
                      "đường dẫn tuyệt đối “/etc/service.json”"),
    "extra file": ([(make_zip({**GOOD, "README.txt": b"xin chao"}, folder="dv"), "dv.zip")],
                   "Tệp .zip chứa “dv/README.txt”, không thuộc định nghĩa dịch vụ"),
    "symlink": ([(zip_with([(symlink("dv/sample.json"), b"/etc/passwd")]), "dv.zip")], "liên kết tượng trưng"),
    "nested folder": ([(make_zip(GOOD, folder="a/b"), "dv.zip")], "thư mục lồng nhau “a/b/”"),
    "nested file": ([(zip_with([("a/b/service.json", b"{}")]), "dv.zip")], "Tệp .zip chứa “a/b/service.json”"),
    "two folders": ([(zip_with([("a/service.json", b"{}"), ("b/sample.json", b"{}")]), "dv.zip")],
                    "phải nằm chung một thư mục"),
    "zip bomb": ([(make_zip({"sample.json": b" " * (5 * 1024 * 1024)}), "bom.zip")], "Nội dung giải nén vượt quá 4 MB"),
    "bomb in parts": ([(make_zip({n: b" " * (1200 * 1024) for n in FILES}), "bom.zip")],
                      "Nội dung giải nén vượt quá 4 MB"),
    "too many entries": ([(zip_with([(f"dv/{i}/", b"") for i in range(21)]), "dv.zip")], "21 mục"),
    "too big": ([(b"PK" + bytes(range(256)) * (9 * 1024), "to.zip")], "Dung lượng tải lên vượt quá 2 MB"),
    "just too big": ([(b" " * (1024 * 1024), "service.json"), (b" " * (1024 * 1024 + 10), "sample.json")],
                     "Dung lượng tải lên vượt quá 2 MB"),
    "not a zip": ([(b"day khong phai zip", "dv.zip")], "không phải tệp nén .zip"),
    "unknown file": ([(b"{}", "evil.json")], "Tệp “evil.json” không thuộc định nghĩa dịch vụ"),
    "zip and files": ([(make_zip(GOOD), "dv.zip"), (GOOD["sample.json"], "sample.json")], "không cả hai cùng lúc"),
    "nothing": ([], "Chưa chọn tệp nào"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_unsafe_uploads_are_refused_with_a_message(app, admin_client, case):
    files, message = REFUSED[case]
    response = upload(admin_client, files, "dich-vu-thu")
    page = text(response)
    assert response.status_code in (400, 413), page
    assert "Không nhận tệp tải lên" in page and message in page
    assert uploads_left(app) == [] and resources.portal(app).definitions.versions() == []


def test_a_header_that_lies_about_the_size_is_caught_while_inflating(admin_client):
    archive = bytearray(make_zip({"sample.json": b" " * (5 * 1024 * 1024)}, folder="dv"))
    # Rewrite the declared size (local header and central directory) to 100 bytes.
    real = (5 * 1024 * 1024).to_bytes(4, "little")
    archive = bytes(archive).replace(real, (100).to_bytes(4, "little"))
    response = upload(admin_client, [(archive, "dv.zip")], "dich-vu-thu")
    assert response.status_code == 400
    assert "Không giải nén được “dv/sample.json”" in text(response)


# -- preview ----------------------------------------------------------------------------------------

def v1_dossier(app, citizen, household, status: Status, data=None):
    """A dossier of the household service at version 1, made by the engine and stored."""
    now = dt.datetime(2026, 11, 25, 9, tzinfo=VN)
    dossier = lifecycle.create(household, to_actor(citizen), data or copy.deepcopy(household.sample), ["giay-de-nghi"],
                               now)
    dossier = dossier.model_copy(update={"status": status, "submitted_at": now if status != Status.DRAFT else None})
    return store(app).add(dossier)


def test_the_preview_shows_what_breaks_and_how_many_dossiers_in_flight(app, admin_client, citizen, household):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.PROCESSING, Status.RETURNED):
        v1_dossier(app, citizen, household, status)
    v1_dossier(app, citizen, household, Status.CONFIRMED,
               {**{k: v for k, v in household.sample.items() if k != "members"}, "founderType": "ca-nhan"})

    def narrow(form):
        form["properties"]["business"]["properties"].pop("email")
        form["properties"]["founderType"]["oneOf"].pop()  # "Các thành viên hộ gia đình" no more

    def narrow_sample(sample):
        without_sample_business_email(sample)
        sample["founderType"] = "ca-nhan"
        del sample["members"]

    files = definition(form=narrow, sample=narrow_sample)
    response = upload(admin_client, [(make_zip(files, folder=HOUSEHOLD), "hkd.zip")])
    preview_path = response.headers["Location"]
    page = text(admin_client.get(preview_path))
    assert "Phiên bản 2 (phiên bản hiện hành: 1)" in page and "Thay đổi so với phiên bản 1" in page
    assert "Bỏ trường “Thư điện tử” (business/email)" in page
    assert "Trường “Chủ thể thành lập hộ kinh doanh” (founderType) bỏ lựa chọn: Các thành viên hộ gia đình" in page
    assert "Dịch vụ có 4 hồ sơ đang xử lý (kể cả hồ sơ nháp)" in page  # the returned one is done
    assert "Cảnh báo: 3 hồ sơ đang xử lý (kể cả hồ sơ nháp) không hợp lệ theo phiên bản mới" in page

    # The form filled with the sample, empty, and tried.
    filled = admin_client.get(f"{preview_path}/bieu-mau").get_data(as_text=True)
    assert 'value="Hộ kinh doanh Quán cơm Thanh Tâm"' in filled and 'name="#/business/email"' not in filled
    empty = admin_client.get(f"{preview_path}/bieu-mau?trong=1").get_data(as_text=True)
    assert 'value="Hộ kinh doanh Quán cơm Thanh Tâm"' not in empty and 'name="#/business/name"' in empty
    tried = post(admin_client, f"{preview_path}/bieu-mau?trong=1", {"#/capital": "5"},
                 form_page=f"{preview_path}/bieu-mau")
    assert "Vốn kinh doanh (đồng) phải lớn hơn hoặc bằng 1.000.000" in text(tried)
    assert resources.portal(app).definitions.versions() == []  # nothing published by looking

    # The PDFs: the blank form and the filled sample.
    blank = admin_client.get(f"{preview_path}/bieu-mau.pdf")
    assert blank.mimetype == "application/pdf" and "Giấy đề nghị" in flat(" ".join(pages_text(blank.data)))
    sample = admin_client.get(f"{preview_path}/ho-so-mau.pdf")
    assert sample.mimetype == "application/pdf" and "Quán cơm Thanh Tâm" in flat(" ".join(pages_text(sample.data)))


def test_an_unknown_expired_or_already_published_upload(app, admin_client):
    assert admin_client.get(f"{ADMIN}/xem-truoc/{'a' * 22}").status_code == 404
    assert admin_client.get(f"{ADMIN}/xem-truoc/..%2F..%2Fetc").status_code == 404
    preview, _ = publish_files(admin_client, definition(EXTRACT, service=new_service), "trich-luc-mot-lan")
    token_path = re.search(r'action="(/quan-tri/dich-vu/xem-truoc/[^"]+/xuat-ban)"', preview.get_data(as_text=True))[1]
    again = post(admin_client, token_path, {}, form_page=ADMIN)  # a second click
    assert "Bản tải lên này không còn" in text(admin_client.get(again.headers["Location"]))
    assert len(resources.portal(app).definitions.versions()) == 1

    # The national code is now taken by the published service: another slug may not have it.
    taken = upload(admin_client, [(make_zip(GOOD, folder="trich-luc-cu"), "dv.zip")])
    assert taken.status_code == 422 and "mã thủ tục 2.999001 đã được dùng cho dịch vụ trich-luc-mot-lan" in text(taken)

    other = definition(EXTRACT, service=lambda info: info.update(code="2.999002"))
    response = upload(admin_client, [(make_zip(other, folder="trich-luc-cu"), "dv.zip")])
    folder = authoring.uploads(app).root / response.headers["Location"].rsplit("/", 1)[1]
    day_ago = time.time() - 25 * 3600
    os.utime(folder, (day_ago, day_ago))
    assert admin_client.get(response.headers["Location"]).status_code == 404


# -- the version test ---------------------------------------------------------------------------------

def test_dossiers_keep_their_version_after_version_2_removes_a_field(app, admin_client, citizen_client, citizen,
                                                                     household):
    """A draft and a submitted dossier of version 1 still render, validate and print with
    version 1 after version 2 (without business.email) is published; new dossiers use version 2."""
    # Version 1: a draft, and a dossier submitted through the portal's pages.
    draft_id = create_dossier(citizen_client, household)
    submitted_id = create_dossier(citizen_client, household)
    submitted = store(app).get(submitted_id)
    store(app).update(lifecycle.confirm(submitted, to_actor(citizen), submitted.created_at))
    assert post(citizen_client, f"/ho-so/{submitted_id}/nop", {}).status_code == 302
    assert store(app).get(submitted_id).status == Status.SUBMITTED
    for dossier_id in (draft_id, submitted_id):
        dossier = store(app).get(dossier_id)
        assert dossier.service_version == 1 and dossier.data["business"]["email"] == BUSINESS_EMAIL

    # Version 2, published in the browser: the preview names the change and the two dossiers it would refuse.
    preview, listing = publish_files(admin_client, version_2(), HOUSEHOLD)
    assert "Bỏ trường “Thư điện tử” (business/email)" in text(preview)
    assert "Cảnh báo: 2 hồ sơ đang xử lý (kể cả hồ sơ nháp)" in text(preview)
    assert "Đã xuất bản phiên bản 2" in text(listing)
    catalog = resources.portal(app).catalog
    v1, v2 = catalog.version(HOUSEHOLD, 1), catalog.get(HOUSEHOLD)
    assert v2.version == 2 and [s.version for s in catalog.versions(HOUSEHOLD)] == [1, 2]

    # New dossiers use version 2: the removed field is gone from a new form.
    assert "Nhấn vào đây để đăng ký hồ sơ" in text(citizen_client.get(f"/dich-vu/{HOUSEHOLD}"))
    new_form = citizen_client.get(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so").get_data(as_text=True)
    assert 'name="#/business/email"' not in new_form and 'name="#/business/phone"' in new_form
    sample_page = text(citizen_client.get(f"/dich-vu/{HOUSEHOLD}/ho-so-mau"))
    assert BUSINESS_EMAIL not in sample_page
    v2_data = copy.deepcopy(household.sample)
    del v2_data["business"]["email"]
    fields = fill(fields_of(citizen_client, f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so"), v2_data, v2)
    fields.add("~checklist", "giay-de-nghi")
    created = citizen_client.post(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", data=fields)
    assert created.status_code == 302, text(created)
    assert store(app).get(created.headers["Location"].split("/")[2]).service_version == 2

    # The version-1 draft: its update page still shows the removed field with its value ...
    draft_page = citizen_client.get(f"/ho-so/{draft_id}/cap-nhat").get_data(as_text=True)
    assert re.search(rf'name="#/business/email" value="{re.escape(BUSINESS_EMAIL)}"', draft_page)
    # ... its data is checked with version 1 (version 2 would refuse it) ...
    draft = store(app).get(draft_id)
    assert v1.validate(draft.data) == [] and v2.validate(draft.data) != []
    updated = post(citizen_client, f"/ho-so/{draft_id}/cap-nhat",
                   fill(fields_of(citizen_client, f"/ho-so/{draft_id}/cap-nhat"),
                        {**draft.data, "capital": 200000000}, v1).to_dict(flat=False))
    assert updated.status_code == 302, text(updated)
    draft = store(app).get(draft_id)
    assert draft.data["capital"] == 200000000 and draft.data["business"]["email"] == BUSINESS_EMAIL
    assert draft.service_version == 1

    # ... and both dossiers read and print with version 1.
    for dossier_id in (draft_id, submitted_id):
        view = text(citizen_client.get(f"/ho-so/{dossier_id}"))
        assert BUSINESS_EMAIL in view
        dossier = store(app).get(dossier_id)
        own = catalog.version(dossier.service, dossier.service_version)
        assert own is v1 and own.validate(dossier.data) == [] and v2.validate(dossier.data) != []
        printed = flat(" ".join(pages_text(render_dossier_pdf(own, dossier, None))))
        assert "Thư điện tử" in printed and BUSINESS_EMAIL in printed
        assert BUSINESS_EMAIL not in render_dossier_html(v2, dossier, None)  # what version 2 would have printed
    # The one-stop desk prints the submitted dossier the same way.
    desk = app.test_client()
    login(desk, "quantri")
    desk_pdf = desk.get(f"/mot-cua/ho-so/{submitted_id}/ban-in.pdf")
    assert desk_pdf.status_code == 200 and BUSINESS_EMAIL in flat(" ".join(pages_text(desk_pdf.data)))


# -- withdraw and restore ---------------------------------------------------------------------------------

def field_counts(client, path: str = "/tra-cuu") -> dict[str, int]:
    """The side menu's "Lĩnh vực": each field's count of services, as a page shows it."""
    menu = text(client.get(path)).split('<aside class="side"')[1].split("</aside>")[0]
    return {name: int(count) for name, count in re.findall(r'>([^<>]+)</a> <span class="count">(\d+)</span>', menu)}


def test_the_side_menu_of_fields_counts_a_published_service_in_both_languages(app, admin_client):
    before = field_counts(admin_client)
    assert before["Hộ tịch"] >= 1
    admin_client.set_cookie("lang", "en")
    assert field_counts(admin_client) == before  # drawn once for each language: the same counts
    admin_client.set_cookie("lang", "vi")
    publish_files(admin_client, definition(EXTRACT, service=new_service), "trich-luc-thu-nghiem")
    assert field_counts(admin_client) == before | {"Hộ tịch": before["Hộ tịch"] + 1}
    admin_client.set_cookie("lang", "en")
    assert field_counts(admin_client)["Hộ tịch"] == before["Hộ tịch"] + 1
    assert 'aria-label="Fields"' in text(admin_client.get("/tra-cuu"))  # the English menu, not the Vietnamese kept


def test_a_withdrawn_service_takes_no_new_dossiers_but_keeps_its_own(app, admin_client, citizen_client, citizen,
                                                                    household):
    draft_id = create_dossier(citizen_client, household)
    response = post(admin_client, f"{ADMIN}/{HOUSEHOLD}/ngung-nhan-ho-so", {}, form_page=ADMIN)
    listing = text(admin_client.get(response.headers["Location"]))
    assert "đã ngừng nhận hồ sơ mới" in listing and "Đã ngừng nhận hồ sơ mới" in listing
    assert "Nhận hồ sơ trở lại" in listing
    assert resources.portal(app).definitions.withdrawn() == {HOUSEHOLD}

    home = text(citizen_client.get("/"))
    assert "Đăng ký thành lập hộ kinh doanh" not in home
    assert "Đăng ký thành lập hộ kinh doanh" not in text(citizen_client.get("/?q=hộ kinh doanh"))
    page = text(citizen_client.get(f"/dich-vu/{HOUSEHOLD}"))
    assert "Dịch vụ này đã ngừng nhận hồ sơ mới" in page and "Nhấn vào đây để đăng ký hồ sơ" not in page
    refused = citizen_client.get(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so")
    assert refused.status_code == 302
    count = store(app).count()
    fields = fill(fields_with_token(citizen_client), copy.deepcopy(household.sample), household)
    assert citizen_client.post(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", data=fields).status_code == 302
    assert store(app).count() == count

    # Its dossiers still open, update, submit and print.
    assert citizen_client.get(f"/ho-so/{draft_id}").status_code == 200
    edit = post(citizen_client, f"/ho-so/{draft_id}/cap-nhat",
                fill(fields_of(citizen_client, f"/ho-so/{draft_id}/cap-nhat"),
                     {**household.sample, "capital": 300000000}, household).to_dict(flat=False))
    assert edit.status_code == 302 and store(app).get(draft_id).data["capital"] == 300000000
    draft = store(app).get(draft_id)
    store(app).update(lifecycle.confirm(draft, to_actor(citizen), draft.created_at))
    assert post(citizen_client, f"/ho-so/{draft_id}/nop", {}).status_code == 302
    assert store(app).get(draft_id).status == Status.SUBMITTED
    desk = app.test_client()
    login(desk, "quantri")
    assert desk.get(f"/mot-cua/ho-so/{draft_id}/ban-in.pdf").status_code == 200

    response = post(admin_client, f"{ADMIN}/{HOUSEHOLD}/nhan-ho-so-tro-lai", {}, form_page=ADMIN)
    assert "nhận hồ sơ trở lại" in text(admin_client.get(response.headers["Location"]))
    assert "Đăng ký thành lập hộ kinh doanh" in text(citizen_client.get("/"))
    assert citizen_client.get(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so").status_code == 200
    assert post(admin_client, f"{ADMIN}/khong-co/ngung-nhan-ho-so", {}, form_page=ADMIN).status_code == 404


def fields_with_token(client):
    """The create page's fields are not served while withdrawn: take the token from another form."""
    from werkzeug.datastructures import MultiDict

    from tests.web.helpers import csrf_token

    return MultiDict({"csrf_token": csrf_token(client, "/quan-ly-ho-so"), "~checklist": "giay-de-nghi"})


# -- several processes, start-up, the command line -------------------------------------------------------------

def test_another_process_sees_a_publish_and_a_withdrawal_on_its_next_request(app, admin_client, tmp_path, catalog):
    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                        "PASSWORD_PROFILE": "CHEAPEST"})
    visitor = other.test_client()
    assert "Thư điện tử" in text(visitor.get(f"/dich-vu/{HOUSEHOLD}/ho-so-mau"))
    before = resources.portal(other).catalog

    publish_files(admin_client, version_2(), HOUSEHOLD)
    assert resources.portal(other).catalog is before  # nothing happens until it serves a request
    assert BUSINESS_EMAIL not in text(visitor.get(f"/dich-vu/{HOUSEHOLD}/ho-so-mau"))
    assert resources.portal(other).catalog.get(HOUSEHOLD).version == 2
    unchanged = resources.portal(other).catalog
    visitor.get("/")
    assert resources.portal(other).catalog is unchanged  # no change, no reload

    post(admin_client, f"{ADMIN}/{HOUSEHOLD}/ngung-nhan-ho-so", {}, form_page=ADMIN)
    assert "Dịch vụ này đã ngừng nhận hồ sơ mới" in text(visitor.get(f"/dich-vu/{HOUSEHOLD}"))


def test_start_up_refuses_a_published_version_that_no_longer_loads(app, admin_client, tmp_path, catalog):
    publish_files(admin_client, definition(EXTRACT, service=new_service), "trich-luc-hong")
    [version] = resources.portal(app).definitions.versions()
    (version.folder / "sample.json").write_text('{"copies": "hai"}', encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    assert str(version.folder / "sample.json") in str(refused.value) or \
        (version.folder / "sample.json").relative_to(Path.cwd()).as_posix() in str(refused.value)


def test_every_built_in_definition_published_again_reads_back_the_same(tmp_path, catalog):
    from storage.definitions import DefinitionStore

    store_ = DefinitionStore(tmp_path / "definitions")
    for service in catalog:
        published = publishing.publish(store_, catalog, DEFAULT_ROOT / service.slug, service.slug)
        assert published.version == 2 and published.form_schema == service.form_schema
        assert published.info == service.info and published.has_form == service.has_form
        if service.has_form:
            assert published.validate(service.sample) == []


@pytest.fixture
def portal(monkeypatch, tmp_path, catalog):
    """The app every command builds: one instance folder, the shared catalogue."""
    real = web.create_app
    monkeypatch.setattr(web, "create_app", lambda config=None: real(
        {"INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"}))
    return lambda: real({"INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})


def test_the_command_line_publishes_and_withdraws_the_same_way(portal, tmp_path):
    folder = tmp_path / "nguon" / "trich-luc-dong-lenh"
    folder.mkdir(parents=True)
    for name, content in definition(EXTRACT, service=new_service).items():
        (folder / name).write_bytes(content)
    runner = CliRunner()
    result = runner.invoke(cli, ["schemas", "publish", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Đã xuất bản phiên bản 1 của dịch vụ trich-luc-dong-lenh" in result.output
    result = runner.invoke(cli, ["schemas", "publish", str(folder), "--slug", "trich-luc-dong-lenh"])
    assert "Đã xuất bản phiên bản 2" in result.output
    assert resources.portal(portal()).catalog.get("trich-luc-dong-lenh").version == 2

    (folder / "sample.json").write_text('{"copies": 0}', encoding="utf-8")
    result = runner.invoke(cli, ["schemas", "publish", str(folder), "--slug", "trich-luc-khac"])
    assert result.exit_code == 1 and "sample.json: /copies: " in result.output and "Không xuất bản" in result.output

    result = runner.invoke(cli, ["schemas", "withdraw", HOUSEHOLD])
    assert result.exit_code == 0 and "đã ngừng nhận hồ sơ mới" in result.output
    assert not resources.portal(portal()).catalog.offered(HOUSEHOLD)
    result = runner.invoke(cli, ["schemas", "withdraw", HOUSEHOLD, "--restore"])
    assert result.exit_code == 0 and resources.portal(portal()).catalog.offered(HOUSEHOLD)
    result = runner.invoke(cli, ["schemas", "withdraw", "khong-co"])
    assert result.exit_code == 1 and "Không có dịch vụ nào có mã 'khong-co'" in result.output


def test_start_up_refuses_a_published_version_that_a_built_in_folder_now_shadows(app, admin_client, tmp_path, catalog):
    import dataclasses

    from engine.catalog import Catalog

    publish_files(admin_client, definition(EXTRACT, service=new_service), "trich-luc-sau-nay")
    # Later someone adds schemas/trich-luc-sau-nay/: its version 1 and the published one collide.
    built_in = Catalog([*publishing.every_version(catalog),
                        dataclasses.replace(catalog[EXTRACT], slug="trich-luc-sau-nay")])
    with pytest.raises(DefinitionError) as refused:
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": built_in})
    assert "phiên bản 1 của trich-luc-sau-nay trùng với định nghĩa có sẵn" in str(refused.value)
