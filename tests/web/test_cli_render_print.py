"""`dichvucong render` (one service on paper) and `dichvucong print` (a clerk's batch)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from engine.dossier import new_id
from engine.receipts import new_receipt_number
from storage.tinydb_store import TinyDBStore
from tests.renderers.pdf_helpers import ACCEPTED_AT, accepted_dossier, flat, pages_text
from web.cli import main


@pytest.fixture
def runner():
    return CliRunner()


def text_of_pdf(path) -> str:
    return flat(" ".join(pages_text(path.read_bytes())))


# -- render ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["dang-ky-thanh-lap-ho-kinh-doanh", "1.001612"])
def test_render_blank_and_sample_by_slug_or_national_code(runner, tmp_path, code):
    blank, sample = tmp_path / "blank.pdf", tmp_path / "sample.pdf"
    assert runner.invoke(main, ["render", code, "--blank", "-o", str(blank)]).exit_code == 0
    assert runner.invoke(main, ["render", code, "--sample", "-o", str(sample)]).exit_code == 0
    assert "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH" in text_of_pdf(blank)
    assert "Nguyễn Thị Thanh Tâm" not in text_of_pdf(blank)
    for page in pages_text(sample.read_bytes()):
        assert "MẪU" in page


def test_render_form_data_and_a_stored_dossier(runner, tmp_path, household):
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(household.sample, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = runner.invoke(main, ["render", "1.001612", "--data", str(data_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in text_of_pdf(out)

    stored = tmp_path / "dossier.json"
    stored.write_text(json.dumps(accepted_dossier(household).to_json(), ensure_ascii=False), encoding="utf-8")
    slip = tmp_path / "slip.pdf"
    result = runner.invoke(main, ["render", "1.001612", "--data", str(stored), "--receipt", "Trần Văn Bình",
                                  "-o", str(slip), "--base-url", "https://dichvucong.vithanh.vn"])
    assert result.exit_code == 0, result.output
    text = text_of_pdf(slip)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and "07/12/2026" in text
    assert "https://dichvucong.vithanh.vn/tra-cuu/2612-7KQ4-MX9P-B2TW" in text


def test_render_html_for_a_browser(runner, tmp_path):
    out = tmp_path / "form.html"
    result = runner.invoke(main, ["render", "dang-ky-khai-sinh", "--blank", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html and "<style>" in html
    assert 'class="box"' in html


def test_render_reports_what_is_wrong(runner, tmp_path):
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(main, ["render", "1.001612", "--blank", "--sample", "-o", out])
    assert result.exit_code == 2 and "đúng một" in result.output
    result = runner.invoke(main, ["render", "9.999999", "--blank", "-o", out])
    assert result.exit_code == 1 and "Không có dịch vụ" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"capital": "nhiều"', encoding="utf-8")
    result = runner.invoke(main, ["render", "1.001612", "--data", str(bad), "-o", out])
    assert result.exit_code == 1 and "không đọc được JSON" in result.output


def test_commands_that_need_no_portal_never_build_one(runner, tmp_path, monkeypatch):
    """``--help``, ``schemas lint``, ``render`` and ``workflow`` work without an instance folder."""
    import web

    def no_app(*args, **kwargs):
        raise AssertionError("the app was built")

    monkeypatch.setattr(web, "create_app", no_app)
    instance = tmp_path / "instance"
    monkeypatch.setenv("DVC_INSTANCE", str(instance))
    out = str(tmp_path / "blank.html")
    for args in (["--help"], ["schemas", "lint", "schemas/dang-ky-khai-sinh"], ["workflow"],
                 ["render", "dang-ky-khai-sinh", "--blank", "--format", "html", "-o", out]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    assert not instance.exists()


# -- print -------------------------------------------------------------------------------------

PRINTED = 60  # enough for both processes to take many; each is rendered, signed and recorded (bench/pdf.py times more)


@pytest.fixture
def store(tmp_path, household):
    """PRINTED accepted household dossiers and, among them, one whose service does not exist."""
    store = TinyDBStore(tmp_path / "store", shards=8)
    dossiers = [
        accepted_dossier(household, id=new_id(), receipt_number=new_receipt_number(ACCEPTED_AT.date()))
        for _ in range(PRINTED)
    ]
    broken = accepted_dossier(household, id=new_id(), receipt_number=new_receipt_number(ACCEPTED_AT.date()))
    broken = broken.model_copy(update={"service": "dich-vu-da-xoa"})
    store.bulk_add([*dossiers[:PRINTED // 2], broken, *dossiers[PRINTED // 2:]])
    return store, dossiers, broken


@pytest.mark.slow
def test_print_many_dossiers_with_two_processes(runner, tmp_path, store):
    _, dossiers, broken = store
    out = tmp_path / "outputs"
    result = runner.invoke(main, ["print", "--status", "processing", "--store", str(tmp_path / "store"),
                                  "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    written = sorted(out.glob("*.pdf"))
    assert len(written) == PRINTED
    assert {p.stem for p in written} == {d.id for d in dossiers}
    assert f"Lỗi: hồ sơ {broken.id}: LookupError: không có dịch vụ 'dich-vu-da-xoa' trong danh mục" in result.output
    assert f"{PRINTED + 1}/{PRINTED + 1}" in result.output  # the progress bar's last state
    assert f"Đã in {PRINTED}/{PRINTED + 1} hồ sơ" in result.output
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in text_of_pdf(written[0])


def test_print_by_ids_merged_and_exit_zero_without_failures(runner, tmp_path, store):
    _, dossiers, _ = store
    out = tmp_path / "merged"
    ids = [d.id for d in dossiers[:3]]
    result = runner.invoke(main, ["print", *ids, "--store", str(tmp_path / "store"), "-o", str(out), "--merge",
                                  "--jobs", "1"])
    assert result.exit_code == 0, result.output
    (merged,) = out.glob("*.pdf")
    assert len(PdfReader(merged).pages) == 3 * len(PdfReader(_single(tmp_path, ids[0])).pages)
    text = text_of_pdf(merged)
    for d in dossiers[:3]:
        assert d.receipt_number in text

    result = runner.invoke(main, ["print", "ffffffffffffffff", ids[0], "--store", str(tmp_path / "store"),
                                  "-o", str(tmp_path / "one"), "--jobs", "1"])
    assert result.exit_code == 1
    assert "Lỗi: hồ sơ ffffffffffffffff: không tìm thấy hồ sơ" in result.output
    assert (tmp_path / "one" / f"{ids[0]}.pdf").is_file()


def _single(tmp_path, dossier_id):
    result = CliRunner().invoke(main, ["print", dossier_id, "--store", str(tmp_path / "store"),
                                       "-o", str(tmp_path / "single"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return tmp_path / "single" / f"{dossier_id}.pdf"


def test_print_filters_and_refuses_to_print_everything_by_accident(runner, tmp_path, store):
    result = runner.invoke(main, ["print", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and "bộ lọc" in result.output
    result = runner.invoke(main, ["print", "--status", "done", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "Không có kho hồ sơ" in result.output
    result = runner.invoke(main, ["print", "--service", "1.001612", "--from", "2026-12-03",
                                  "--store", str(tmp_path / "store"), "-o", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert "Đã in 0/0 hồ sơ" in result.output


def test_print_uses_the_version_each_dossier_was_created_with(runner, tmp_path, household):
    """A published version 2 of the household form (another title, no e-mail field):
    a version-2 dossier prints with it, a version-1 dossier with the built-in definition."""
    import copy

    folder = tmp_path / "definitions" / household.slug / "2"
    folder.mkdir(parents=True)
    schema = copy.deepcopy(household.form_schema)
    schema["title"] = "Giấy đề nghị đăng ký hộ kinh doanh (mẫu mới)"
    schema["properties"]["business"]["properties"].pop("email")
    for name in ("service.json", "documents.json", "sample.json"):
        (folder / name).write_bytes((household.folder / name).read_bytes())
    (folder / "form.schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    sample = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
    sample["business"].pop("email")
    (folder / "sample.json").write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")

    store = TinyDBStore(tmp_path / "store", shards=4)
    old = accepted_dossier(household, id=new_id(), receipt_number=new_receipt_number(ACCEPTED_AT.date()))
    new = accepted_dossier(household, id=new_id(), receipt_number=new_receipt_number(ACCEPTED_AT.date()))
    new = new.model_copy(update={"service_version": 2})
    store.bulk_add([old, new])
    out = tmp_path / "outputs"
    result = runner.invoke(main, ["print", old.id, new.id, "--store", str(tmp_path / "store"), "-o", str(out),
                                  "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "(MẪU MỚI)" not in text_of_pdf(out / f"{old.id}.pdf").upper()
    assert "quancomthanhtam@gmail.com" in text_of_pdf(out / f"{old.id}.pdf")
    assert "(MẪU MỚI)" in text_of_pdf(out / f"{new.id}.pdf").upper()
