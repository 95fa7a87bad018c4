"""``dichvucong schemas import``: a record file becomes a folder that ``schemas lint`` accepts."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from tests.engine.test_national_record import REFERENCE, synthetic
from tests.shared import ROOT, require_shared
from web.cli import main


def run(*args):
    return CliRunner().invoke(main, ["schemas", *args])


def test_import_writes_an_information_folder_and_prints_its_path(tmp_path):
    source = tmp_path / "record.json"
    source.write_text(json.dumps(synthetic(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run("import", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "cap-giay-xac-nhan-thu-nghiem"
    assert result.stdout.strip() == str(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["documents.json", "service.json"]
    assert json.loads((folder / "service.json").read_text(encoding="utf-8"))["level"] == 1
    assert "12/2031/TT-BTP" in result.stderr and "(cảnh báo)" in result.stderr

    again = run("import", str(source), "--out", str(out))  # the name is taken: a new folder beside it
    assert again.exit_code == 0 and again.stdout.strip() == str(out / "cap-giay-xac-nhan-thu-nghiem-2")
    clash = run("import", str(source), "--out", str(out), "--slug", "cap-giay-xac-nhan-thu-nghiem")
    assert clash.exit_code != 0 and "đã có" in clash.output


def test_a_draft_imported_into_a_schemas_tree_passes_the_lint(tmp_path):
    shared = require_shared("national-portal reference records", REFERENCE)
    tree = tmp_path / "schemas"
    for part in ("_defs", "_meta"):
        shutil.copytree(ROOT / "schemas" / part, tree / part)
    for code in ("1.004194", "1.009122"):
        result = run("import", str(shared / REFERENCE / f"{code}.json"), "--form", "draft", "--out", str(tree))
        assert result.exit_code == 0, result.output
    assert {p.name for p in tree.iterdir()} >= {
        "dang-ky-tam-tru", "cap-giay-phep-xay-dung-co-thoi-han-doi-voi-cong-trinh-nha-o"}
    linted = run("lint", *[str(p) for p in tree.iterdir() if not p.name.startswith("_")])
    assert linted.exit_code == 0, linted.output
    assert "Đã kiểm tra 2 dịch vụ hợp lệ" in linted.stderr


def test_a_file_that_is_not_a_record_is_refused(tmp_path):
    source = tmp_path / "x.json"
    source.write_text('{"code": "OK", "data": {"name": "x"}}', encoding="utf-8")
    result = run("import", str(source), "--out", str(tmp_path))
    assert result.exit_code == 1 and "data.code" in result.output
