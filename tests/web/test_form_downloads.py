""""Tải về các biểu mẫu" on a service page: the blank form and the sample dossier as PDFs."""

from __future__ import annotations

import dataclasses
import re

import pytest

from renderers import pdf
from tests.renderers.pdf_helpers import flat, pages_text, printed_fields
from tests.web.helpers import login, text
from web import resources, services

LEVEL_2 = "chung-thuc-ban-sao-tu-ban-chinh"
LEVEL_1 = "dang-ky-khai-tu-luu-dong"  # information only


def downloads(page: str) -> str:
    """The "Tải về các biểu mẫu" section of a service page."""
    section = page.split("Tải về các biểu mẫu</h2>", 1)[1]
    return section.split("</section>", 1)[0]


def schema_texts(node) -> list[str]:
    """Every string of a form schema: its titles, descriptions, hints and option labels."""
    if isinstance(node, dict):
        return [t for value in node.values() for t in schema_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in schema_texts(value)]
    return [flat(node)] if isinstance(node, str) else []


def distinctive_values(service) -> list[str]:
    """The sample's values as the paper prints them, less those the form itself says (an
    option's label beside its box, an example in a hint): those are on the blank form too."""
    own = schema_texts(service.form_schema)
    _, values = printed_fields(service.form_schema, service.sample)
    return [v for v in values if len(v) > 3 and not any(flat(v) in t for t in own)]


def test_a_level_3_service_page_links_both_pdfs_and_the_sample_page(client, household):
    section = downloads(text(client.get(f"/dich-vu/{household.slug}")))
    links = re.findall(r'href="([^"]+)"', section)
    assert links == [f"/dich-vu/{household.slug}/bieu-mau.pdf", f"/dich-vu/{household.slug}/ho-so-mau.pdf",
                     f"/dich-vu/{household.slug}/ho-so-mau"]
    assert household.title in section and "Xem hồ sơ mẫu" in section and "Hồ sơ mẫu" in section


@pytest.mark.parametrize("kind", ["bieu-mau", "ho-so-mau"])
def test_the_pdfs_download_as_attachments_with_an_ascii_name_and_cache_headers(client, household, kind):
    response = client.get(f"/dich-vu/{household.slug}/{kind}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{household.slug}-{kind}.pdf"'
    assert response.headers["Content-Disposition"].isascii()
    assert "public" in response.headers["Cache-Control"] and "max-age=" in response.headers["Cache-Control"]
    again = client.get(f"/dich-vu/{household.slug}/{kind}.pdf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_blank_form_has_every_field_title_and_none_of_the_sample(client, household):
    blank = flat(" ".join(pages_text(client.get(f"/dich-vu/{household.slug}/bieu-mau.pdf").data)))
    titles, _ = printed_fields(household.form_schema, household.sample)
    assert [t for t in titles if flat(t) not in blank] == []
    values = distinctive_values(household)
    assert "Nguyễn Thị Thanh Tâm" in values and len(values) > 10
    assert [v for v in values if flat(v) in blank] == []
    assert "MẪU" not in blank.replace("Biểu mẫu", "")


def test_the_sample_pdf_shows_the_sample_values_marked_as_a_sample(client, household):
    sample = flat(" ".join(pages_text(client.get(f"/dich-vu/{household.slug}/ho-so-mau.pdf").data)))
    titles, _ = printed_fields(household.form_schema, household.sample)
    assert [t for t in titles if flat(t) not in sample] == []
    assert [v for v in distinctive_values(household) if flat(v) not in sample] == []
    assert "Hồ sơ mẫu để tham khảo, không dùng để nộp" in sample


def test_a_level_2_service_offers_its_form_to_print(client, catalog):
    service = catalog[LEVEL_2]
    section = downloads(text(client.get(f"/dich-vu/{LEVEL_2}")))
    assert f"/dich-vu/{LEVEL_2}/bieu-mau.pdf" in section and f"/dich-vu/{LEVEL_2}/ho-so-mau.pdf" in section
    blank = flat(" ".join(pages_text(client.get(f"/dich-vu/{LEVEL_2}/bieu-mau.pdf").data)))
    assert service.title in blank or service.info.code in blank


def test_a_level_1_service_offers_nothing_to_download(client):
    section = downloads(text(client.get(f"/dich-vu/{LEVEL_1}")))
    assert ".pdf" not in section and "không có biểu mẫu" in section
    assert client.get(f"/dich-vu/{LEVEL_1}/bieu-mau.pdf").status_code == 404
    assert client.get(f"/dich-vu/{LEVEL_1}/ho-so-mau.pdf").status_code == 404
    assert client.get("/dich-vu/khong-co/bieu-mau.pdf").status_code == 404


def test_each_pdf_is_rendered_once_per_service_version(app, client, household, monkeypatch):
    rendered = []
    real = pdf.render_blank_pdf
    monkeypatch.setattr(pdf, "render_blank_pdf", lambda service: rendered.append(service) or real(service))
    first = client.get(f"/dich-vu/{household.slug}/bieu-mau.pdf").data
    assert client.get(f"/dich-vu/{household.slug}/bieu-mau.pdf").data == first
    assert rendered == [household]
    newer = dataclasses.replace(household, version=household.version + 1)
    portal = resources.portal(app)
    portal.catalog = portal.catalog.with_version(newer)
    client.get(f"/dich-vu/{household.slug}/bieu-mau.pdf")
    assert rendered == [household, newer]


def test_a_withdrawn_service_offers_no_download(app, client, household):
    portal = resources.portal(app)
    portal.catalog = portal.catalog.with_withdrawn(household.slug)
    assert "bieu-mau.pdf" not in text(client.get(f"/dich-vu/{household.slug}"))
    assert client.get(f"/dich-vu/{household.slug}/bieu-mau.pdf").status_code == 404


def test_the_links_are_there_for_a_signed_in_citizen_too(client, citizen, household):
    login(client, citizen.username)
    assert f"/dich-vu/{household.slug}/bieu-mau.pdf" in text(client.get(f"/dich-vu/{household.slug}"))


def test_the_downloads_in_english(client, catalog, household, monkeypatch):
    monkeypatch.setattr(services, "FIELD_SHOWN", 1)
    client.set_cookie("lang", "en")
    section = downloads(text(client.get(f"/dich-vu/{household.slug}")).replace("Download the forms", "Tải về các biểu mẫu"))
    assert "blank form to print and fill in by hand (PDF)" in section and ">Sample application<" in section
    civil = sum(1 for s in catalog if s.info.field == "Hộ tịch")
    assert f"See all {civil} procedures" in text(client.get("/"))
    assert "This procedure has no form to download." in text(client.get(f"/dich-vu/{LEVEL_1}"))
