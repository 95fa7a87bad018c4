"""The catalogue: real services, every sample valid, broken definitions refused."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.catalog import DEFAULT_ROOT, Catalog, DefinitionError
from engine.lint import lint as lint_definitions
from web.cli import main

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
SLUGS = [s.slug for s in Catalog.load()]
FORM_SLUGS = [s.slug for s in Catalog.load() if s.has_form]


@pytest.mark.parametrize("slug", FORM_SLUGS)
def test_every_sample_validates(catalog, slug):
    service = catalog[slug]
    assert service.validate(service.sample) == []


def test_the_catalogue_is_real_and_broad(catalog):
    # Issue 14: at least 60 ward-level services, at least 30 filed online with a form,
    # across the fields a ward handles.
    assert len(catalog) >= 60
    assert sum(1 for s in catalog if s.has_form and s.online) >= 30
    assert {"Hộ tịch", "Đăng ký, quản lý cư trú", "Chứng thực", "Hoạt động xây dựng", "Đất đai",
            "Thành lập và hoạt động của hộ kinh doanh"} <= set(catalog.by_field())
    for slug in [HOUSEHOLD, "dang-ky-khai-sinh", "dang-ky-ket-hon", "dang-ky-khai-tu",
                 "chung-thuc-ban-sao-tu-ban-chinh", "cap-giay-phep-xay-dung-nha-o-rieng-le",
                 "dang-ky-thay-doi-noi-dung-ho-kinh-doanh"]:
        assert slug in catalog, slug
    assert {s.info.level for s in catalog} >= {2, 3}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_service_is_complete_for_a_citizen(catalog, slug):
    service = catalog[slug]
    assert service.info.legal_basis and service.info.steps and service.documents
    assert sum(1 for d in service.documents if d.from_form) <= 1
    assert service.title


def test_household_form_has_what_the_user_guide_describes(household):
    props = household.form_schema["properties"]
    assert {"business", "businessLines", "capital", "owner"} <= set(props)
    members = household.form_schema["then"]["properties"]["members"]
    assert members["type"] == "array"
    assert household.sample["founderType"] == "ho-gia-dinh" and household.sample["members"]


def test_bundled_forms_reference_nothing_outside_themselves(catalog):
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for v in node.values():
                yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for service in catalog:
        assert all(r.startswith("#/") for r in refs(service.form_schema)), service.slug


def test_search_ignores_diacritics_and_case(catalog):
    assert HOUSEHOLD in [s.slug for s in catalog.search("dang ky thanh lap ho kinh doanh")]
    assert HOUSEHOLD in [s.slug for s in catalog.search("HỘ KINH DOANH")]
    assert "dang-ky-khai-sinh" in [s.slug for s in catalog.search("khai sinh")]
    assert HOUSEHOLD not in [s.slug for s in catalog.search("khai sinh")]
    assert catalog.search("không có dịch vụ này") == []


def test_search_finds_a_service_by_its_national_code_and_by_its_agency(catalog):
    assert [s.slug for s in catalog.search("1.001612")] == [HOUSEHOLD]
    police = {s.slug for s in catalog.search("cong an phuong")}
    # Every service of the ward police; others only where the words also match (a building
    # "công trình" whose text says "an toàn", received at the ward's People's Committee).
    assert {s.slug for s in catalog if s.info.agency.code == "cong-an-phuong-vi-thanh"} <= police
    assert {"dang-ky-tam-tru", "dang-ky-thuong-tru", "tach-ho"} <= police and HOUSEHOLD not in police


# -- the lint --------------------------------------------------------------------------

def lint(*paths):
    result = CliRunner().invoke(main, ["schemas", "lint", *map(str, paths)])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_lint_of_the_catalogue_is_clean_and_counts_services():
    code, lines, summary = lint(DEFAULT_ROOT)
    assert (code, lines) == (0, [])
    assert f"{len(SLUGS)} dịch vụ hợp lệ" in summary


def test_lint_is_the_installed_console_script():
    result = subprocess.run(["dichvucong", "schemas", "lint", str(DEFAULT_ROOT)], capture_output=True, text=True,
                            env={"PATH": str(Path(__import__("sys").executable).parent)})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def tree(tmp_path):
    """A copy of the schemas tree with the household definition only."""
    root = tmp_path / "schemas"
    root.mkdir()
    shutil.copytree(DEFAULT_ROOT / "_defs", root / "_defs")
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, root / HOUSEHOLD)
    return root


def edit_json(path: Path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


BREAKAGES = {
    "bad JSON": ("service.json", None, "JSON không hợp lệ"),
    "unknown $ref": ("form.schema.json",
                     lambda f: f["properties"]["owner"].update({"$ref": "../_defs/common.schema.json#/$defs/nobody"}),
                     "$ref không tìm thấy"),
    "sample that fails": ("sample.json", lambda s: s.update({"capital": -5}), "/capital"),
    "missing title": ("form.schema.json", lambda f: f["properties"]["capital"].pop("title"), "thiếu tiêu đề"),
    "catastrophic pattern": ("form.schema.json",
                             lambda f: f["properties"]["business"]["properties"]["website"].update({"pattern": "(a+)+$"}),
                             "lượng từ lồng nhau"),
}


@pytest.mark.parametrize("kind", BREAKAGES)
def test_each_breakage_gives_one_line_naming_the_file(tree, kind):
    name, change, words = BREAKAGES[kind]
    path = tree / HOUSEHOLD / name
    if change is None:
        path.write_text(path.read_text(encoding="utf-8") + "}", encoding="utf-8")
    else:
        edit_json(path, change)
    code, lines, _ = lint(tree)
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(path) + ": ") and words in lines[0]


def test_all_breakages_at_once_are_all_reported(tree):
    for name, change, _ in BREAKAGES.values():
        path = tree / HOUSEHOLD / name
        if change is None:
            path.write_text(path.read_text(encoding="utf-8") + "}", encoding="utf-8")
        else:
            edit_json(path, change)
    code, lines, _ = lint(tree)
    assert code == 1
    # No validator can be built around the unknown $ref, so the sample is not checked.
    assert len(lines) == 4, lines
    for kind, (_, _, words) in BREAKAGES.items():
        if kind != "sample that fails":
            assert any(words in line for line in lines), kind


# -- the lint of a tree checks its working calendar (engine.work_calendar) --------------------

def test_next_years_missing_calendar_is_a_warning_not_an_error(tree):
    # The copy has no calendar/ folder: whatever today is, next year's file is missing.
    code, lines, summary = lint(tree)
    assert (code, lines) == (0, [])
    assert f"{tree / 'calendar'}/" in summary and "chưa có lịch làm việc năm" in summary and "(cảnh báo)" in summary
    assert "không có lỗi, 1 cảnh báo." in summary


def test_the_warning_names_the_year_after_today(tree):
    report = lint_definitions([tree], today=dt.date(2026, 12, 2))
    assert report.ok
    assert [(w.file, w.message.split(":")[0]) for w in report.warnings] == [
        (str(tree / "calendar" / "2027.toml"), "chưa có lịch làm việc năm 2027")]
    (tree / "calendar").mkdir()
    (tree / "calendar" / "2027.toml").write_text("# Thông báo chưa có ngày nào khác\n", encoding="utf-8")
    assert lint_definitions([tree], today=dt.date(2026, 12, 2)).warnings == []
    # The project's catalogue holds 2026: no warning during 2025.
    assert lint_definitions([DEFAULT_ROOT], today=dt.date(2025, 6, 1)).warnings == []


def test_a_bad_calendar_file_fails_the_lint_naming_the_entry(tree):
    (tree / "calendar").mkdir()
    path = tree / "calendar" / "2027.toml"
    path.write_text('[[days_off]]\ndate = 2026-12-31\nreason = "Nhầm năm"\n', encoding="utf-8")
    code, lines, _ = lint(tree)
    assert code == 1
    assert lines == [f"{path}: days_off[0]: ngày 31/12/2026 không thuộc năm 2027 của tệp"]


def test_a_new_definition_outside_schemas_is_linted_against_the_shared_defs(tmp_path):
    folder = tmp_path / "dich-vu-moi"
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, folder)
    edit_json(folder / "service.json", lambda s: s.update({"code": "9.999999"}))
    code, lines, summary = lint(folder)
    assert (code, lines) == (0, [])
    edit_json(folder / "sample.json", lambda s: s["owner"].update({"idNumber": "12345"}))
    code, lines, _ = lint(folder)
    assert code == 1 and lines == [f"{folder / 'sample.json'}: /owner/idNumber: "
                                   "Số định danh cá nhân phải gồm 12 chữ số"]


def test_missing_files_and_non_definitions_are_reported(tmp_path):
    folder = tmp_path / "dich-vu-do-dang"
    folder.mkdir()
    (folder / "service.json").write_text("{}", encoding="utf-8")
    code, lines, _ = lint(folder, tmp_path / "does-not-exist")
    assert code == 1
    assert any("documents.json: /: thiếu tệp" in line for line in lines)
    assert any("does-not-exist" in line for line in lines)


def test_limits_on_size_and_depth(tree):
    form = tree / HOUSEHOLD / "form.schema.json"

    def deepen(f):
        node = f["properties"]["business"]
        for _ in range(40):
            node["properties"]["deeper"] = {"title": "Sâu hơn", "type": "object", "properties": {}}
            node = node["properties"]["deeper"]

    edit_json(form, deepen)
    code, lines, _ = lint(tree)
    assert code == 1 and any("lồng quá sâu" in line for line in lines)
    form.write_text(" " * (600 * 1024), encoding="utf-8")
    code, lines, _ = lint(tree)
    assert any("lớn quá" in line for line in lines)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"type": "string", "title": "X"}')

    def log_message(self, *args):
        pass


def test_references_never_reach_the_network(tree):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.json"
        edit_json(tree / HOUSEHOLD / "form.schema.json",
                  lambda f: f["properties"]["business"]["properties"]["website"].update({"$ref": url}))
        code, lines, _ = lint(tree)
        assert code == 1 and any("không có trong schemas/" in line for line in lines)
        assert _Recorder.hits == []
    finally:
        server.shutdown()


def test_a_reference_cannot_climb_out_of_the_schemas_tree(tree):
    secret = tree.parent / "secret.json"
    secret.write_text('{"title": "Bí mật"}', encoding="utf-8")
    edit_json(tree / HOUSEHOLD / "form.schema.json",
              lambda f: f["properties"]["business"]["properties"]["website"].update({"$ref": "../../secret.json"}))
    code, lines, _ = lint(tree)
    assert code == 1 and any("không có trong schemas/" in line for line in lines)


def test_start_up_refuses_a_broken_definition_naming_file_and_pointer(tree):
    edit_json(tree / HOUSEHOLD / "form.schema.json", lambda f: f["properties"]["capital"].pop("title"))
    with pytest.raises(DefinitionError) as exc:
        Catalog.load(tree)
    assert str(exc.value) == f"{tree / HOUSEHOLD / 'form.schema.json'}: /properties/capital: trường 'capital' thiếu tiêu đề tiếng Việt (title)"


def test_typos_in_keywords_and_unknown_formats_are_caught(tree):
    def typo(f):
        f["properties"]["capital"]["minimun"] = 5
        f["properties"]["business"]["properties"]["phone"]["format"] = "telephone"
        f["required"].append("capitl")

    edit_json(tree / HOUSEHOLD / "form.schema.json", typo)
    code, lines, _ = lint(tree)
    text = "\n".join(lines)
    assert "'minimun' không có trong JSON Schema 2020-12" in text
    assert "định dạng 'telephone' không được hỗ trợ" in text
    assert "trường bắt buộc 'capitl' không có trong properties" in text
