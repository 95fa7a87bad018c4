"""Definition uploads no agency would send: a slug of 500 characters, a service.json nested
100,000 brackets deep or holding a number of 5,000 digits. Each is the upload page again,
saying why in Vietnamese; never a server error. ``dichvucong schemas publish`` too."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.bounds import MAX_JSON_DEPTH, MAX_JSON_DIGITS, MAX_SLUG
from storage.definitions import SLUG
from tests.web.helpers import text
from tests.web.test_authoring import (EXTRACT, admin_client, definition, make_zip, new_service,  # noqa: F401 (fixtures)
                                      portal, upload, uploads_left)
from web import resources
from web.cli import main as cli

LONG_SLUG = "trich-luc-" + "a" * 490  # 500 characters: longer than a file name may be


def files_of(slug: str = EXTRACT, service=new_service, **changes: bytes) -> list[tuple[bytes, str]]:
    files = definition(slug, service=service) | changes
    return [(content, name) for name, content in files.items()]


def deep(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def with_number(digits: str) -> bytes:
    """The service.json of a new service, with one more member holding the number ``digits``."""
    content = json.loads(definition(EXTRACT, service=new_service)["service.json"])
    content["so"] = "@@"
    return json.dumps(content, ensure_ascii=False, indent=2).replace('"@@"', digits).encode()


# -- the slug --------------------------------------------------------------------------------

def test_the_slug_rule_has_a_length_bound():
    assert SLUG.fullmatch("a" * MAX_SLUG) and SLUG.fullmatch("ab-" * 21 + "a")
    assert not SLUG.fullmatch("a" * (MAX_SLUG + 1))
    assert not SLUG.fullmatch(LONG_SLUG) and not SLUG.fullmatch("a\n")


def test_a_slug_too_long_for_a_file_name_is_refused_with_the_upload_page(app, admin_client):
    response = upload(admin_client, files_of(), LONG_SLUG)
    assert response.status_code == 400, text(response)
    page = text(response)
    assert f"Mã dịch vụ dài quá {MAX_SLUG} ký tự" in page and 'name="slug"' in page
    assert uploads_left(app) == []


def test_a_zip_folder_name_too_long_is_refused_the_same_way(app, admin_client):
    archive = make_zip(definition(EXTRACT, service=new_service), folder=LONG_SLUG)
    response = upload(admin_client, [(archive, "dv.zip")])
    assert response.status_code == 400, text(response)
    assert f"Mã dịch vụ dài quá {MAX_SLUG} ký tự" in text(response)
    assert uploads_left(app) == []


def test_a_slug_of_exactly_the_bound_is_taken(admin_client):
    slug = ("trich-luc-" + "a" * MAX_SLUG)[:MAX_SLUG]
    response = upload(admin_client, files_of(), slug)
    assert response.status_code == 302, text(response)


def test_the_command_line_refuses_a_slug_too_long(portal, tmp_path):
    folder = tmp_path / "nguon" / "trich-luc-dong-lenh"
    folder.mkdir(parents=True)
    for name, content in definition(EXTRACT, service=new_service).items():
        (folder / name).write_bytes(content)
    result = CliRunner().invoke(cli, ["schemas", "publish", str(folder), "--slug", LONG_SLUG])
    assert result.exit_code == 1, result.output
    assert "không hợp lệ" in result.output and "Không xuất bản" in result.output
    assert resources.portal(portal()).catalog.get(LONG_SLUG) is None


# -- the JSON ---------------------------------------------------------------------------------

def problems_of(response) -> str:
    assert response.status_code == 422, text(response)
    return text(response)


def test_a_service_json_nested_100000_deep_is_a_problem_naming_the_file(app, admin_client):
    page = problems_of(upload(admin_client, files_of(**{"service.json": deep(100_000)}), "trich-luc-sau"))
    assert f"service.json: /: JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng) ở dòng 1, cột {MAX_JSON_DEPTH + 1}" in page
    assert uploads_left(app) == []


def test_every_file_too_deep_is_named(admin_client):
    page = problems_of(upload(admin_client, files_of(**{"form.schema.json": deep(5000), "sample.json": deep(200)}),
                              "trich-luc-sau"))
    assert f"form.schema.json: /: JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng)" in page
    assert f"sample.json: /: JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng)" in page


def test_a_service_json_with_a_5000_digit_number_is_a_problem_naming_the_file(app, admin_client):
    page = problems_of(upload(admin_client, files_of(**{"service.json": with_number("9" * 5000)}), "trich-luc-so"))
    assert f"service.json: /: số có quá {MAX_JSON_DIGITS} chữ số ở dòng" in page
    assert uploads_left(app) == []


@pytest.mark.parametrize("number", ["-" + "1" * 5000, "0." + "1" * 5000, "1e" + "9" * 5000, "1" * 4301])
def test_every_kind_of_long_number_is_a_problem(admin_client, number):
    page = problems_of(upload(admin_client, files_of(**{"service.json": with_number(number)}), "trich-luc-so"))
    assert f"service.json: /: số có quá {MAX_JSON_DIGITS} chữ số" in page


def test_the_command_line_publish_reports_the_same_problems(portal, tmp_path):
    folder = tmp_path / "nguon" / "trich-luc-dong-lenh"
    folder.mkdir(parents=True)
    for name, content in definition(EXTRACT, service=new_service).items():
        (folder / name).write_bytes(content)
    (folder / "service.json").write_bytes(deep(100_000))
    (folder / "sample.json").write_bytes(b'{"copies": ' + b"1" * 5000 + b"}")
    result = CliRunner().invoke(cli, ["schemas", "publish", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng)" in result.output
    assert f"số có quá {MAX_JSON_DIGITS} chữ số" in result.output and "Không xuất bản" in result.output
