"""Information-only services (mức độ 1, "chỉ cung cấp thông tin"): a definition folder with
service.json and documents.json only, no form and no sample."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.catalog import DEFAULT_ROOT, Catalog, DefinitionError, load_published
from engine.dossier import Dossier, Status
from engine.versions import affected, changes
from web.cli import main

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
PAUSE = "tam-ngung-tiep-tuc-kinh-doanh-ho-kinh-doanh"  # its information and documents are reused
INFO = "thong-tin-thu-nghiem"
INFO_NAME = "Cung cấp thông tin về điều kiện kinh doanh (thử nghiệm)"


def info_only_files(code: str = "2.999101") -> dict[str, bytes]:
    """A form-less definition, written from the pause service's information (as level 1)."""
    service = json.loads((DEFAULT_ROOT / PAUSE / "service.json").read_text(encoding="utf-8"))
    service.update(code=code, name=INFO_NAME, keywords=["giấy phép thử nghiệm"], level=1)
    service.pop("online_service", None)
    documents = json.loads((DEFAULT_ROOT / PAUSE / "documents.json").read_text(encoding="utf-8"))
    for doc in documents["documents"]:
        doc.pop("from_form", None)
    return {"service.json": json.dumps(service, ensure_ascii=False).encode(),
            "documents.json": json.dumps(documents, ensure_ascii=False).encode()}


def write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def tree(tmp_path):
    """A schemas tree: the household service (with a form) and one information-only service."""
    root = tmp_path / "schemas"
    root.mkdir()
    shutil.copytree(DEFAULT_ROOT / "_defs", root / "_defs")
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, root / HOUSEHOLD)
    write(root / INFO, info_only_files())
    return root


def lint(*paths):
    result = CliRunner().invoke(main, ["schemas", "lint", *map(str, paths)])
    return result.exit_code, [line for line in result.stdout.splitlines() if line.strip()], result.stderr


def test_a_definition_without_form_files_loads_as_a_form_less_service(tree):
    catalog = Catalog.load(tree)
    service = catalog[INFO]
    assert (service.form_schema, service.sample, service.has_form) == (None, None, False)
    assert service.title == INFO_NAME
    assert not service.online and [d.id for d in service.documents] == ["thong-bao", "uy-quyen-nop-ho-so"]
    # Nothing is a dossier of it: validating refuses, without crashing.
    assert [e.keyword for e in service.validate({"a": 1})] == ["form"]
    assert not service.validator.is_valid({})
    assert catalog[HOUSEHOLD].has_form


def test_search_finds_it_by_name_and_keyword(tree):
    catalog = Catalog.load(tree)
    assert [s.slug for s in catalog.search("dieu kien kinh doanh thu nghiem")] == [INFO]
    assert [s.slug for s in catalog.search("giay phep thu")] == [INFO]
    assert INFO in [s.slug for s in catalog.by_field()[catalog[INFO].info.field]]


def test_the_lint_passes_it_and_counts_it(tree):
    code, lines, summary = lint(tree)
    assert (code, lines) == (0, [])
    assert "Đã kiểm tra 2 dịch vụ hợp lệ trong 1 lĩnh vực (1 dịch vụ chỉ cung cấp thông tin" in summary
    code, lines, summary = lint(tree / INFO)  # the folder alone
    assert (code, lines) == (0, []) and "1 dịch vụ hợp lệ" in summary


@pytest.mark.parametrize("kept, missing", [("form.schema.json", "sample.json"), ("sample.json", "form.schema.json")])
def test_half_a_form_is_a_problem_naming_the_missing_file(tree, kept, missing):
    shutil.copy(DEFAULT_ROOT / PAUSE / kept, tree / INFO / kept)
    code, lines, _ = lint(tree)
    assert code == 1
    assert lines[0].startswith(f"{tree / INFO / missing}: /: thiếu tệp: có {kept} thì phải có {missing}")
    with pytest.raises(DefinitionError):
        Catalog.load(tree)


@pytest.mark.parametrize("level", [2, 3])
def test_a_form_less_service_above_level_1_is_a_problem(tree, level):
    def raise_level(info):
        info["level"] = level
        info["methods"] = ["truc-tiep", "truc-tuyen"]

    edit_json(tree / INFO / "service.json", raise_level)
    code, lines, _ = lint(tree)
    assert code == 1
    assert lines == [f"{tree / INFO / 'service.json'}: /level: dịch vụ không có biểu mẫu chỉ được ở mức độ 1 "
                     "(thêm form.schema.json và sample.json để nhận hồ sơ trực tuyến)"]


def test_a_form_less_service_names_no_form_field_and_no_form_document(tree):
    edit_json(tree / INFO / "documents.json", lambda d: d["documents"][0].update(from_form=True))
    edit_json(tree / INFO / "service.json", lambda s: s.update(
        cases=[{"id": "tam-ngung", "name": "Tạm ngừng"}], case_field="/kind"))
    code, lines, _ = lint(tree)
    assert code == 1
    assert any(line.endswith("service.json: /case_field: dịch vụ không có biểu mẫu: không có trường nào để chọn "
                             "trường hợp") for line in lines), lines
    assert any(line.endswith("documents.json: /documents/0/from_form: dịch vụ không có biểu mẫu: không giấy tờ "
                             "nào là biểu mẫu nhập liệu") for line in lines), lines


def test_the_checked_forms_cache_keeps_form_less_services(tree, tmp_path):
    cache = tmp_path / "cache"
    first = Catalog.load(tree, cache=cache)
    [kept] = list(cache.glob("checked-forms-*.json"))
    assert list(json.loads(kept.read_text(encoding="utf-8"))) == [HOUSEHOLD]
    second = Catalog.load(tree, cache=cache)  # from the cache
    assert not second[INFO].has_form and second[HOUSEHOLD].form_schema == first[HOUSEHOLD].form_schema


def test_a_published_form_less_version_loads(tmp_path):
    folder = write(tmp_path / "dinh-nghia" / INFO / "1", info_only_files())
    service = load_published(folder, INFO, 1)
    assert (service.slug, service.version, service.has_form) == (INFO, 1, False)


def test_a_new_version_without_a_form_breaks_every_dossier_in_flight(tree, catalog):
    formed = catalog[PAUSE]
    form_less = dataclasses.replace(Catalog.load(tree)[INFO], slug=PAUSE, version=2)
    [change] = changes(formed, form_less)
    assert change.breaking and "Bỏ biểu mẫu nhập liệu" in change.message
    assert changes(form_less, formed) == []
    now = dt.datetime(2026, 11, 25, 9)
    dossiers = [Dossier(id=f"{n:016d}", service=PAUSE, agency="x", owner="u", applicant_name="A", status=status,
                        data=formed.sample, created_at=now, updated_at=now)
                for n, status in enumerate([Status.DRAFT, Status.RETURNED])]
    assert [d.status for d in affected(form_less, dossiers)] == [Status.DRAFT]


def test_printing_its_blank_form_says_there_is_none(tree, tmp_path):
    out = tmp_path / "trong.html"
    result = CliRunner().invoke(main, ["render", INFO, "--blank", "--format", "html", "-o", str(out),
                                       "--schemas", str(tree)])
    assert result.exit_code == 1 and not out.exists()
    assert f"Dịch vụ {INFO} chỉ cung cấp thông tin: không có biểu mẫu để in." in result.output
