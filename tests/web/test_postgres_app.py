"""The portal on PostgreSQL: with DVC_DATABASE_URL set, a citizen's account, sign-in and
dossier live in the database (a fresh schema), and nothing in the instance folder's stores.

Needs the PostgreSQL of tests/storage/conftest.py (fails, saying how to start it, when down)."""

from __future__ import annotations

import io

import psycopg
import pytest
from psycopg import sql

from engine.dossier import Status
from operations import publishing
from operations.mail import build_message
from storage.postgres_store import PostgresStore
from storage.postgres_users import PostgresUserStore
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import add_user, login, post, text
from tests.web.test_dossiers import create_dossier, pdf_bytes
from web import create_app
from web import resources


@pytest.fixture
def schema():
    with fresh_schema() as name:
        yield name


@pytest.fixture
def app(tmp_path, catalog, schema, monkeypatch):
    monkeypatch.setenv("DVC_DATABASE_URL", f"{POSTGRES_URL}?schema={schema}")
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST",
    })
    yield app
    resources.portal(app).close()  # before the schema is dropped


def test_a_dossier_created_in_the_portal_is_stored_in_postgresql(app, client, schema, household, tmp_path):
    assert isinstance(resources.portal(app).dossiers, PostgresStore)
    assert isinstance(resources.portal(app).users, PostgresUserStore)
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    assert login(client, citizen.username).status_code == 302  # the session is kept in the user's row
    dossier_id = create_dossier(client, household)
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in text(client.get(f"/ho-so/{dossier_id}/cap-nhat"))

    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(
            sql.SQL("SELECT owner, status, doc->>'applicant_id_number' FROM {}.dossiers WHERE id = %s")
            .format(sql.Identifier(schema)),
            [dossier_id],
        ).fetchone()
        sessions = conn.execute(
            sql.SQL("SELECT jsonb_array_length(doc->'sessions') FROM {}.users WHERE username = %s")
            .format(sql.Identifier(schema)),
            ["congdan"],
        ).fetchone()
    assert row == (citizen.id, Status.DRAFT.value, "093195001234")
    assert sessions == (1,)
    assert not (tmp_path / "store").exists() and not (tmp_path / "users").exists()


def test_batch_printing_reads_the_dossiers_from_postgresql(app, client, household, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from pypdf import PdfReader

    from web.cli import main

    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    assert login(client, citizen.username).status_code == 302
    dossier_id = create_dossier(client, household)
    monkeypatch.setenv("DVC_INSTANCE", str(tmp_path))  # DVC_DATABASE_URL is set by the app fixture
    out = tmp_path / "in"
    result = CliRunner().invoke(main, ["print", dossier_id, "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    [pdf] = out.glob("*.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in text
    assert not (tmp_path / "store").exists() and not (tmp_path / "documents").exists()
    # Issued: recorded in the database's registry under the code it prints
    import hashlib
    import re

    code = re.search(r"Mã kiểm tra: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)
    found = resources.portal(app).documents.by_code(code)
    assert found.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest() and found.dossier_id == dossier_id


def test_a_nul_character_is_refused_with_a_page_not_a_server_error(app, client, household, schema):
    import copy

    from tests.web.test_dossiers import CREATE, fields_of, fill

    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    assert login(client, citizen.username).status_code == 302
    fields = fill(fields_of(client, CREATE), copy.deepcopy(household.sample), household)
    [name] = [key for key, value in fields.items(multi=True) if value == "Hộ kinh doanh Quán cơm Thanh Tâm"]
    fields[name] = "Hộ kinh doanh Quán cơm\x00 Thanh Tâm"  # PostgreSQL cannot keep U+0000 in JSONB
    response = client.post(CREATE, data=fields)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in text(response) and "Traceback" not in text(response)
    assert client.get("/tra-cuu?q=2510%00").status_code == 400
    with psycopg.connect(POSTGRES_URL) as conn:
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}.dossiers").format(sql.Identifier(schema))).fetchone()
    assert count == (0,)


def test_a_tinydb_portal_moves_to_postgresql_with_storage_copy(tmp_path, catalog, schema, household, monkeypatch):
    from click.testing import CliRunner

    from web.cli import main

    # A portal used on TinyDB: two citizens, a clerk, and dossiers.
    monkeypatch.delenv("DVC_DATABASE_URL", raising=False)
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"}
    before = create_app(config)
    citizen = add_user(before, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    add_user(before, "congdan2", full_name="Lê Văn Tư", id_number="093195005678", email="tu@example.com")
    client = before.test_client()
    assert login(client, citizen.username).status_code == 302
    ids = {create_dossier(client, household) for _ in range(3)}
    # An uploaded file, a published version of a service, and an e-mail still waiting.
    parts = resources.portal(before)
    file_id = parts.files.put(b"%PDF-1.4 giay to")
    assert post(client, "/kho-giay-to", {"ten": "Căn cước", "tep": (io.BytesIO(pdf_bytes()), "cccd.pdf")},
                content_type="multipart/form-data").status_code == 302  # and one item in her "Kho giấy tờ"
    published = publishing.publish(parts.definitions, parts.catalog, household.folder, household.slug)
    assert parts.mailer.drain()  # the dossiers' e-mails went to the development outbox
    parts.mailer.outbox.put(build_message("DVC <dvc@example.com>", "an@example.com", "Thư chờ gửi", "nội dung"))
    # Two issued documents: one with its verification code, one revoked since.
    from operations import documents

    code = parts.documents.reserve_code()
    with before.app_context():
        documents.record(parts, "ab" * 32, kind="tiep-nhan", title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                         dossier_id=next(iter(ids)), agency="ubnd-phuong-vi-thanh", signed=True, code=code)
        documents.record(parts, "cd" * 32, kind="ban-in", title="Bản in hồ sơ", dossier_id=next(iter(ids)),
                         agency="ubnd-phuong-vi-thanh", signed=False)
        documents.revoke(parts, "cd" * 32, "In nhầm hồ sơ")

    url = f"{POSTGRES_URL}?schema={schema}"
    monkeypatch.setattr("storage.transfer.PAGE", 2)  # two pages of dossiers
    runner = CliRunner()
    result = runner.invoke(main, ["storage", "copy", url, "--instance", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Đã chép 2 hồ sơ..." in result.output
    assert ("Đã chép 2 tài khoản, 3 hồ sơ, 2 tệp đính kèm, 1 phiên bản dịch vụ đã công bố, 1 thư đang chờ gửi, 1 giấy tờ"
            " trong Kho giấy tờ của công dân và 2 văn bản trong sổ văn bản đã cấp" in result.output)
    again = runner.invoke(main, ["storage", "copy", url, "--instance", str(tmp_path)])
    assert again.exit_code == 1 and "đã có dữ liệu" in again.output  # never a merge

    # The same portal on PostgreSQL: the citizen signs in with the same password and finds the dossiers.
    monkeypatch.setenv("DVC_DATABASE_URL", url)
    after = create_app(config)
    try:
        assert isinstance(resources.portal(after).dossiers, PostgresStore)
        client = after.test_client()
        assert login(client, "congdan").status_code == 302
        page = text(client.get("/quan-ly-ho-so"))
        assert all(f"/ho-so/{dossier_id}" in page for dossier_id in ids)
        assert resources.portal(after).dossiers.get(next(iter(ids))).data == resources.portal(before).dossiers.get(
            next(iter(ids))).data
        assert resources.portal(after).files.read(file_id) == b"%PDF-1.4 giay to"
        assert resources.portal(after).catalog.get(household.slug).version == published.version
        assert resources.portal(after).mailer.depth() == 1
        [item] = resources.portal(after).wallet.items(citizen.id)
        assert item.label == "Căn cước" and client.get(f"/kho-giay-to/{item.id}/tep").data == pdf_bytes()
        # "Kiểm tra văn bản" answers on PostgreSQL for what was issued on TinyDB
        registry = resources.portal(after).documents
        assert registry.by_code(code).sha256 == "ab" * 32
        assert registry.get("cd" * 32).revoked_reason == "In nhầm hồ sơ"
        assert registry.reserve_code() != code
    finally:
        resources.portal(after).close()


def test_issued_documents_are_recorded_and_revoked_in_postgresql(app, schema, tmp_path):
    from operations import documents
    from web.cli import main

    sha256 = "cd" * 32
    with app.app_context():
        documents.record(resources.portal(app), sha256, kind="ban-in", title="Bản in hồ sơ",
                         dossier_id="0123456789abcdef", agency="ubnd-phuong-vi-thanh", signed=False)
    assert "Ủy ban nhân dân phường Vị Thanh" in text(app.test_client().get(f"/kiem-tra-van-ban/{sha256}"))
    result = app.test_cli_runner().invoke(main, ["documents", "revoke", sha256, "--reason", "In nhầm hồ sơ"])
    assert result.exit_code == 0, result.output
    assert "In nhầm hồ sơ" in text(app.test_client().get(f"/kiem-tra-van-ban/{sha256}"))
    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(sql.SQL("SELECT kind, revoked_reason FROM {}.issued_documents WHERE sha256 = %s")
                           .format(sql.Identifier(schema)), [sha256]).fetchone()
    assert row == ("ban-in", "In nhầm hồ sơ")
    assert not (tmp_path / "documents").exists()
