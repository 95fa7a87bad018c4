"""Printable PDFs: what a clerk and a citizen read on paper, checked in the PDF's own text."""

from __future__ import annotations

import copy
import logging
import re
import unicodedata

import pytest

from engine.catalog import Catalog
from renderers import pdf
from renderers.html import render_display
from renderers.print_assets import PRINT_CSS
from tests.renderers.html_helpers import parse, text_of
from tests.renderers.pdf_helpers import (
    LOOKUP_URL, RECEIPT, accepted_dossier, embedded_fonts, flat, pages_text, printed_fields, reader,
)


@pytest.fixture(scope="module")
def dossier(household):
    return accepted_dossier(household)


@pytest.fixture(scope="module")
def dossier_pdf(household, dossier):
    return pdf.render_dossier_pdf(household, dossier, LOOKUP_URL)


@pytest.fixture(scope="module")
def receipt_pdf(household, dossier):
    return pdf.render_receipt_pdf(household, dossier, "Trần Văn Bình", LOOKUP_URL)


@pytest.fixture(scope="module")
def sample_pdf(household):
    return pdf.render_sample_pdf(household)


@pytest.fixture(scope="module")
def blank_pdf(household):
    return pdf.render_blank_pdf(household)


# -- the submitted dossier -------------------------------------------------------------------

def test_dossier_pdf_shows_heading_every_title_and_every_filled_value(household, dossier_pdf):
    pages = pages_text(dossier_pdf)
    text = flat(" ".join(pages))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH" in text  # the form's title
    assert "Kính gửi: Ủy ban nhân dân phường Vị Thanh" in text
    titles, values = printed_fields(household.form_schema, household.sample)
    assert len(titles) > 30 and len(values) > 25
    assert [t for t in titles if flat(t) not in text] == []
    assert [v for v in values if flat(v) not in text] == []
    # spot checks, with their diacritics, as the paper shows them
    for expected in ("Hộ kinh doanh Quán cơm Thanh Tâm", "150.000.000", "14/03/1986", "Nữ", "Các thành viên hộ gia đình",
                     "Số 27, đường Trần Hưng Đạo, khu vực 2, Phường Vị Thanh, Thành phố Cần Thơ", "Lê Văn Hùng",
                     "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động"):
        assert expected in text


def test_fields_follow_the_schema_order(household, dossier_pdf):
    text = flat(" ".join(pages_text(dossier_pdf)))
    order = ["Thông tin hộ kinh doanh", "Ngành, nghề kinh doanh", "Vốn kinh doanh", "Nguồn vốn",
             "Thông tin đăng ký thuế", "Chủ thể thành lập", "Thông tin về chủ hộ kinh doanh", "Tôi cam đoan",
             "Thành viên hộ gia đình tham gia", "Thành phần hồ sơ", f"Số biên nhận: {RECEIPT}"]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)


def test_dossier_lists_documents_attached_and_brought(household, dossier_pdf):
    text = flat(" ".join(pages_text(dossier_pdf)))
    assert "Thành phần hồ sơ" in text
    for doc in household.documents:
        assert flat(doc.name) in text
    assert "Đã đính kèm tệp: uyquyen.pdf" in text
    assert "Mang bản giấy khi nhận kết quả (đã chọn trong “Chọn thông tin bạn có”)" in text
    # the optional document neither attached nor chosen
    unchosen = accepted_dossier(household, checklist=[])
    assert "Không nộp" in flat(" ".join(pages_text(pdf.render_dossier_pdf(household, unchosen, LOOKUP_URL))))


def test_receipt_number_appointment_and_qr_once_accepted(household, dossier, dossier_pdf):
    text = flat(" ".join(pages_text(dossier_pdf)))
    assert f"Số biên nhận: {RECEIPT}" in text
    assert "Ngày hẹn trả kết quả: 07/12/2026" in text
    assert LOOKUP_URL in text
    html = pdf.render_dossier_html(household, dossier, LOOKUP_URL)
    assert str(pdf.qr_svg(LOOKUP_URL)) in html  # the QR encodes the public status page

    draft = dossier.model_copy(update={"receipt_number": None, "accepted_at": None, "appointment_date": None})
    html = pdf.render_dossier_html(household, draft, LOOKUP_URL)
    assert "<svg" not in html and "Số biên nhận" not in html


def test_every_page_has_the_dossier_identity_and_its_number(dossier_pdf, blank_pdf):
    for data in (dossier_pdf, blank_pdf):
        pages = pages_text(data)
        assert len(pages) >= 2
        for number, page in enumerate(pages, 1):
            assert f"Trang {number}/{len(pages)}" in page
    for page in pages_text(dossier_pdf):
        assert f"Hồ sơ 0123456789abcdef · Số biên nhận {RECEIPT} · Thủ tục 1.001612" in flat(page)


def test_pdf_is_searchable_text_with_title_and_language(dossier_pdf):
    document = reader(dossier_pdf)
    assert document.metadata.title == f"Giấy đề nghị đăng ký hộ kinh doanh — hồ sơ {RECEIPT}"
    assert document.trailer["/Root"]["/Lang"] == "vi"
    for page in document.pages:
        assert not page["/Resources"].get("/XObject")  # no page is a picture of text


def test_vietnamese_is_right_and_printed_in_liberation_serif(household, dossier, receipt_pdf, dossier_pdf):
    text = flat(" ".join(pages_text(receipt_pdf) + pages_text(dossier_pdf)))
    for words in ("Đăng ký", "Nguyễn Thị Thanh Tâm", "Phường Vị Thanh", "Ủy ban nhân dân", "Độc lập - Tự do - Hạnh phúc",
                  "ỦY BAN NHÂN DÂN PHƯỜNG VỊ THANH", "Người nộp hồ sơ".upper()):
        assert words in text
    assert unicodedata.is_normalized("NFC", text)
    fonts = embedded_fonts(dossier_pdf) | embedded_fonts(receipt_pdf)
    assert fonts and set(fonts.values()) == {"Liberation Serif"}, fonts
    assert all(re.fullmatch(r"/[A-Z]{6}\+Liberation-Serif(-Bold)?", name) for name in fonts), fonts  # subsets


def test_a_name_typed_with_combining_accents_prints_precomposed(household):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thanh Tâm")
    data = copy.deepcopy(household.sample)
    data["owner"]["fullName"] = decomposed
    dossier = accepted_dossier(household, data, applicant_name=decomposed)
    text = flat(" ".join(pages_text(pdf.render_dossier_pdf(household, dossier, None))))
    assert text.count("Nguyễn Thị Thanh Tâm") >= 2


# -- blank form, sample, receipt --------------------------------------------------------------

def test_blank_form_has_lines_boxes_and_empty_rows(household, blank_pdf):
    html = pdf.render_blank_html(household)
    tree = parse(html)
    text = flat(" ".join(pages_text(blank_pdf)))
    titles, values = printed_fields(household.form_schema, household.sample)
    assert [t for t in titles if flat(t) not in text] == []
    assert "Nguyễn Thị Thanh Tâm" not in text and "150.000.000" not in text
    # options and yes/no as boxes with their labels
    boxes = {text_of(c) for c in tree.iter("span") if c.get("class") == "choice"}
    assert {"Nam", "Nữ", "Các thành viên hộ gia đình", "Cá nhân", "Vốn tư nhân", "Vốn vay"} <= boxes
    assert "Kinh" not in boxes  # 54 ethnicities: a line to write on, not 54 boxes
    # arrays of objects: at least max(3, minItems) empty rows
    tables = [t for t in tree.iter("table") if "rows-table" in (t.get("class") or "")]
    assert len(tables) == 2
    for table in tables:
        assert len(table.find("tbody").findall("tr")) == 3
    # both branches of a condition, with when to fill them
    assert "Điền phần này khi “Chủ thể thành lập hộ kinh doanh” là: Các thành viên hộ gia đình." in text
    assert len([s for s in tree.iter("span") if s.get("class") == "line"]) >= 20
    assert "…………, ngày …… tháng …… năm ……" in text


def test_blank_rows_respect_min_items():
    schema = {"type": "object", "properties": {
        "people": {"type": "array", "title": "Người", "minItems": 5, "items": {
            "type": "object", "properties": {"name": {"type": "string", "title": "Tên"}}}},
        "few": {"type": "array", "title": "Ít", "maxItems": 2, "items": {"type": "string"}},
        "tree": {"$ref": "#/$defs/node"},
    }, "$defs": {"node": {"type": "object", "title": "Nút", "properties": {"child": {"$ref": "#/$defs/node"}}}}}
    tree = parse(render_display(schema, None, blank=True))
    table = next(tree.iter("table"))
    assert len(table.find("tbody").findall("tr")) == 5
    lists = [ol for ol in tree.iter("ol")]
    assert len(lists[0].findall("li")) == 2
    assert "Nút" in text_of(tree)  # a recursive schema stops nesting instead of recursing forever


def test_sample_is_marked_on_every_page(sample_pdf, household):
    pages = pages_text(sample_pdf)
    assert len(pages) >= 2
    for page in pages:
        assert "MẪU" in page
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in flat(" ".join(pages))


def test_receipt_slip(receipt_pdf, household, dossier):
    pages = pages_text(receipt_pdf)
    assert len(pages) == 1
    text = flat(pages[0])
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Số: {RECEIPT}" in text and f"Số biên nhận: {RECEIPT}" in text
    assert "Tiếp nhận hồ sơ của Ông/Bà: Nguyễn Thị Thanh Tâm" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký thành lập hộ kinh doanh (mã thủ tục 1.001612)" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 02/12/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: ngày 07/12/2026" in text
    assert "Trần Văn Bình" in text  # the clerk
    # documents received: the form, the upload and the paper copy
    assert "Đã đính kèm tệp: uyquyen.pdf" in text
    assert "Văn bản ủy quyền cho người đi nộp hồ sơ" in text


def test_receipt_needs_an_accepted_dossier(household, dossier):
    draft = dossier.model_copy(update={"receipt_number": None, "appointment_date": None})
    with pytest.raises(ValueError, match="chưa được tiếp nhận"):
        pdf.render_receipt_html(household, draft, "Trần Văn Bình", None)
    other = dossier.model_copy(update={"service": "dang-ky-khai-sinh"})
    with pytest.raises(ValueError, match="không phải"):
        pdf.render_dossier_html(household, other, None)


# -- layout: rows, long values --------------------------------------------------------------

def test_page_count_grows_with_rows_and_nothing_is_cut_off(household):
    long_token = "X" * 60 + "@" + "y" * 90  # no space: must still wrap inside the page
    data = copy.deepcopy(household.sample)
    data["businessLines"] = [{"code": f"{4700 + i:04d}", "name": f"Ngành kinh doanh số {i} {'bán lẻ ' * 6}",
                              "main": i == 0} for i in range(30)]
    data["business"]["website"] = long_token
    data["members"][0]["relationship"] = long_token
    few = pdf.render_dossier_pdf(household, accepted_dossier(household), None)
    many = pdf.render_dossier_pdf(household, accepted_dossier(household, data), None)
    assert len(reader(many).pages) > len(reader(few).pages)

    pages = pages_text(many)
    text = flat(" ".join(pages))
    for i in range(30):
        assert f"Ngành kinh doanh số {i} " in text
    assert text.count("Mã ngành") == len(pages_with(pages, "Ngành kinh doanh số"))  # header repeated per page
    assert "".join(text.split()).count(long_token) == 2  # both copies printed whole, wrapped
    longest = max(len(line) for page in pages for line in page.splitlines())
    assert longest < 120, "a line ran past the page"
    for page in reader(many).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        starts = []
        page.extract_text(visitor_text=lambda t, cm, tm, *_: starts.append((t, cm, tm)))
        for t, cm, tm in starts:
            if not t.strip():
                continue
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            assert 0 <= x < width and 0 <= y <= height, (t, x, y)


def pages_with(pages: list[str], words: str) -> list[str]:
    return [p for p in pages if words in p]


@pytest.mark.parametrize("slug", [s.slug for s in Catalog.load() if s.has_form])
def test_every_service_prints_blank_and_sample(catalog, slug):
    service = catalog[slug]
    for render in (pdf.render_blank_pdf, pdf.render_sample_pdf):
        text = flat(" ".join(pages_text(render(service))))
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert flat(service.title.upper()) in text


# -- performance rules ------------------------------------------------------------------------

def test_harfbuzz_subsetting_is_active(household, caplog):
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "libharfbuzz-subset0 is missing: `make test` installs it"
    assert harfbuzz.hb_version_atleast(4, 1, 0)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf.render_blank_pdf(household)
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]


def test_print_css_has_no_dotted_or_dashed_borders():
    css = re.sub(r"/\*.*?\*/", "", PRINT_CSS.read_text(encoding="utf-8"), flags=re.S)
    assert not re.search(r"\b(dotted|dashed)\b", css)


def test_one_stylesheet_and_font_configuration_per_process(household, dossier):
    first = pdf.printer()
    pdf.render_receipt_pdf(household, dossier, "A", None)
    assert pdf.printer() is first
    assert pdf.printer().stylesheet is first.stylesheet and pdf.printer().font_config is first.font_config


@pytest.mark.slow
def test_memory_stays_flat_over_many_renders(household, dossier):
    html = pdf.render_receipt_html(household, dossier, "Trần Văn Bình", LOOKUP_URL)

    def resident_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    for _ in range(25):  # caches and the allocator settle first
        pdf.html_to_pdf(html)
    before = resident_mb()
    for _ in range(60):
        pdf.html_to_pdf(html)
    # a font configuration per render grows about 0.2 MB a render (≈ 12 MB here)
    assert resident_mb() - before < 5


def test_display_preview_is_unchanged_by_the_pdf(household):
    """The HTML preview keeps its ids, sample banner and title: the PDF only leaves them out."""
    html = str(render_display(household.form_schema, household.sample, sample=True))
    assert 'id="f-business-name"' in html and "sample-banner" in html
    assert "f-business" not in pdf.render_sample_html(household)



def _corpus_files():
    from tests.shared import shared_dir

    found = shared_dir()
    return sorted((found / "corpus").glob("*/*.json")) if found else []


def test_blank_mode_renders_every_corpus_schema_and_the_data_mode_still_does():
    """Other projects' schemas (recursive ones, tuples, alternatives...) print blank without error."""
    import json

    from tests.shared import require_shared

    require_shared("external corpus")
    files = _corpus_files()
    assert files
    for path in files:
        sample = json.loads(path.read_text(encoding="utf-8"))
        blank = str(render_display(sample["schema"], None, blank=True))
        assert blank.strip() and "<input" not in blank, path
        assert str(render_display(sample["schema"], sample["formData"])).strip(), path


def test_corpus_blank_forms_print(household):
    """Some of them all the way to PDF: tuples, alternatives, recursion, through WeasyPrint."""
    import dataclasses
    import json

    from tests.shared import require_shared

    require_shared("external corpus")
    for name in ("arrays", "alternatives", "references", "schemaDependencies"):
        path = next(p for p in _corpus_files() if p.parent.name == "rjsf" and p.stem == name)
        schema = json.loads(path.read_text(encoding="utf-8"))["schema"]
        service = dataclasses.replace(household, form_schema=schema)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat(" ".join(pages_text(pdf.render_blank_pdf(service))))


def test_the_printed_dossier_shows_its_log_s_last_hash(household, dossier_pdf):
    import datetime as dt

    from engine import lifecycle, log_chain
    from engine.dossier import Actor, Role

    citizen = Actor(id="citizen-1", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    logged = lifecycle.create(household, citizen, copy.deepcopy(household.sample), [], now)
    logged = lifecycle.confirm(logged, citizen, now + dt.timedelta(hours=1))
    last = log_chain.last_hash(logged)
    text = flat(" ".join(pages_text(pdf.render_dossier_pdf(household, logged, None))))
    assert f"Mã niêm phong nhật ký xử lý khi in: {log_chain.grouped(last)}" in text
    assert last in text.replace(" ", "")  # the full value, small
    # A dossier whose log has no seal prints none.
    assert "Mã niêm phong" not in flat(" ".join(pages_text(dossier_pdf)))
