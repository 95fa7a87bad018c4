"""`dichvucong backup` and `dichvucong restore`: an instance folder built through the portal,
archived while it runs, restored into an empty folder and opened again (docs/backup.md)."""

from __future__ import annotations

import dataclasses
import gzip
import io
import random
import shutil
import tarfile
import threading
from pathlib import Path

import pytest

from engine.dossier import Role, Status
from storage.tinydb_store import TinyDBStore
from tests.storage.factories import make_dossier
from tests.web.helpers import add_user, login, post, text, wait_for
from tests.web.test_authoring import BUSINESS_EMAIL, HOUSEHOLD, publish_files, version_2
from tests.web.test_dossiers import SLOT, create_dossier, pdf_bytes, upload
from web import create_app, resources
from web.cli import main


def run(app, *args: str):
    return app.test_cli_runner().invoke(main, [*args])


def open_app(instance: Path, catalog):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST"})


ISSUED = "ab" * 32  # the SHA-256 of a document the portal issued


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def waiting_mail(app) -> dict[str, bytes]:
    """The messages not yet delivered, by their name in the queue (a claimed one keeps its name)."""
    outbox = resources.portal(app).mailer.outbox
    return {p.name: p.read_bytes() for folder in (outbox.queue, outbox.sending) for p in folder.glob("*.eml")}


@pytest.fixture(scope="module")
def portal(tmp_path_factory, catalog, household):
    """An instance, built once for this module, with four dossiers (two with an attachment,
    one of them replaced), one item in a citizen's "Kho giấy tờ", three accounts, version 2 of the household service published,
    and two e-mails not yet delivered: one waiting in the queue, one that a process was
    sending."""
    app = open_app(tmp_path_factory.mktemp("cong"), catalog)
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    add_user(app, "canbo", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"], phone=None)
    add_user(app, "quantri", role=Role.ADMIN, phone=None)
    client = app.test_client()
    assert login(client, "congdan").status_code == 302
    ids = [create_dossier(client, household) for _ in range(3)]
    upload(client, ids[0], household, {SLOT: (pdf_bytes(), "CCCD chồng.pdf")})
    upload(client, ids[1], household, {SLOT: (pdf_bytes() + b"%mot", "CCCD vợ.pdf")})
    upload(client, ids[1], household, {SLOT: (pdf_bytes() + b"%hai", "CCCD vợ (mới).pdf")})
    assert post(client, "/kho-giay-to", {"ten": "Căn cước", "tep": (io.BytesIO(pdf_bytes() + b"%kho"), "cccd.pdf")},
                content_type="multipart/form-data").status_code == 302  # one item in her "Kho giấy tờ"
    admin_client = app.test_client()
    assert login(admin_client, "quantri").status_code == 302
    publish_files(admin_client, version_2(), HOUSEHOLD)

    # From now on no sender runs in this process (another would: DVC_MAIL_SENDER=0), so the
    # next messages stay in the queue: the one delivered so far first, and its sender gone.
    mailer = resources.portal(app).mailer
    assert mailer.drain() and wait_for(lambda: mailer._worker is None)
    mailer.settings = dataclasses.replace(mailer.settings, sends_here=False)
    create_dossier(client, household)  # its confirmation e-mail waits in the queue
    mailer.send("congdan@example.com", "Thư thứ hai", "Nội dung")
    assert len(mailer.outbox.pending()) == 2
    second = mailer.outbox.pending()[-1]
    second.rename(mailer.outbox.sending / second.name)  # claimed by a sender that died mid-delivery
    assert len(waiting_mail(app)) == 2 and len(mailer.outbox.pending()) == 1
    from operations import documents

    documents.record(resources.portal(app), ISSUED, kind="bien-nhan", title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                     dossier_id=ids[1], agency="ubnd-phuong-vi-thanh", signed=False)  # a receipt the desk printed
    from engine.rescue import new_token

    portal = resources.portal(app)  # a form posted after its session ended: one-time data, not backed up
    portal.rescued.keep(new_token(), citizen.id, "/dich-vu/ho-kinh-doanh/dang-ky", [("#/capital", "một trăm triệu")],
                        portal.now())
    return app


@pytest.fixture(scope="module")
def archives(portal, tmp_path_factory):
    """The portal backed up twice: name ending -> archive (.tar.gz compressed, .tar not)."""
    folder = tmp_path_factory.mktemp("sao-luu")
    made = {}
    for suffix in (".tar.gz", ".tar"):
        made[suffix] = folder / f"ban-sao{suffix}"
        result = run(portal, "backup", str(made[suffix]), "--instance", portal.instance_path)
        assert result.exit_code == 0, result.output
        assert ("Đã sao lưu 4 hồ sơ, 3 tài khoản, 3 tệp (đính kèm, kết quả, kho giấy tờ), 1 phiên bản định nghĩa "
                f"dịch vụ, 2 thư chờ gửi, 1 giấy tờ trong Kho giấy tờ của công dân vào {made[suffix]}") in result.output
    return made


def copy_of(archive: Path, folder: Path) -> Path:
    return Path(shutil.copy(archive, folder / archive.name))


def test_a_restored_instance_serves_the_same_dossiers_accounts_files_definitions_and_mail(
        portal, archives, tmp_path, catalog):
    app, archive = portal, archives[".tar.gz"]
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the secret key and password hashes
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-1] == "manifest.json" and "secret_key" in names
    assert not [n for n in names if n.startswith(("outbox/", "rescued-forms")) or n.endswith(".lock") or "/.tmp-" in n]
    assert any((Path(app.instance_path) / "rescued-forms").glob("*.json")), "there was a kept form to leave out"

    target = tmp_path / "khoi-phuc"
    result = run(app, "restore", str(archive), "--instance", str(target))
    assert result.exit_code == 0, result.output
    assert f"Đã phục hồi 4 hồ sơ, 3 tài khoản, 3 tệp (đính kèm, kết quả, kho giấy tờ)" in result.output
    restored = open_app(target, catalog)
    before, after = resources.portal(app), resources.portal(restored)

    dossiers = before.dossiers.query()
    assert len(dossiers) == 4 and after.dossiers.query() == dossiers
    for dossier in dossiers:
        assert after.dossiers.get(dossier.id) == dossier
        for attachment in dossier.attachments.values():
            assert after.files.read(attachment.file_id) == before.files.read(attachment.file_id)
    assert every_file(Path(restored.instance_path) / "files") == every_file(Path(app.instance_path) / "files")
    assert after.users.list() == before.users.list()
    [kept] = list(before.wallet.every())
    assert list(after.wallet.every()) == [kept] and after.files.read(kept.file_id) == pdf_bytes() + b"%kho"
    assert after.documents.get(ISSUED) == before.documents.get(ISSUED) is not None  # the registry of issued documents
    assert restored.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert login(restored.test_client(), "congdan").status_code == 302  # the password hash came along

    assert after.catalog.get(HOUSEHOLD).version == 2
    assert after.catalog.get(HOUSEHOLD).form_schema == before.catalog.get(HOUSEHOLD).form_schema
    assert BUSINESS_EMAIL not in text(restored.test_client().get(f"/dich-vu/{HOUSEHOLD}/ho-so-mau"))

    # Both messages wait in the queue again, the one that was being sent too.
    assert {p.name: p.read_bytes() for p in after.mailer.outbox.pending()} == waiting_mail(app)
    assert list(after.mailer.outbox.sending.iterdir()) == []


def test_a_folder_as_path_gets_a_new_archive_named_for_the_time_and_none_is_overwritten(portal, tmp_path):
    folder = tmp_path / "sao-luu"
    folder.mkdir()
    assert run(portal, "backup", str(folder), "--instance", portal.instance_path).exit_code == 0
    [made] = folder.iterdir()
    assert made.name.startswith("dichvucong-") and made.name.endswith(".tar.gz")
    refused = run(portal, "backup", str(made), "--instance", portal.instance_path)
    assert refused.exit_code == 1 and "không ghi đè" in refused.output
    assert [p.name for p in folder.iterdir()] == [made.name]
    assert not list(Path(portal.instance_path).glob(".backup-*"))  # the staging folder is gone


# -- consistent while the portal writes -----------------------------------------------------------

def writer(store, owners: list[str], stop: threading.Event, seed: int) -> None:
    """Another client of the portal: adds dossiers, and moves existing ones to another
    owner with a new receipt number (so every write changes the indexes)."""
    rng = random.Random(seed)
    mine = []
    n = 0
    while not stop.is_set():
        mine.append(store.add(make_dossier(rng, owner=rng.choice(owners), receipt_number=None)))
        n += 1
        i = rng.randrange(len(mine))
        mine[i] = store.update(mine[i].model_copy(update={
            "owner": rng.choice(owners), "receipt_number": f"R-{seed}-{n}", "status": Status.PROCESSING}))


def test_a_backup_taken_while_dossiers_are_written_restores_a_consistent_store(app, tmp_path):
    store = resources.portal(app).dossiers
    owners = [f"citizen-{i}" for i in range(5)]
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(store, owners, stop, seed)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    try:
        archives = []
        for i in range(3):
            while store.count() < 10 * (i + 1):  # the writers get ahead between backups
                stop.wait(0.01)
            archive = tmp_path / f"ban-sao-{i}.tar"
            result = run(app, "backup", str(archive), "--instance", app.instance_path)
            assert result.exit_code == 0, result.output
            archives.append(archive)
        after_last = store.count() + 1
        while store.count() < after_last and all(t.is_alive() for t in threads):  # a write no backup holds
            stop.wait(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    for i, archive in enumerate(archives):
        target = tmp_path / f"khoi-phuc-{i}"
        result = run(app, "restore", str(archive), "--instance", str(target))
        assert result.exit_code == 0, result.output
        restored = TinyDBStore(target / "store")
        assert not (target / "store" / "journal.json").exists()
        dossiers = restored.query()
        assert 10 * (i + 1) <= len(dossiers) == restored.count() < store.count()
        for dossier in dossiers:
            assert restored.get(dossier.id) == dossier
            if dossier.receipt_number:
                assert restored.find_by_receipt(dossier.receipt_number) == dossier
        for owner in owners:
            assert [d.id for d in restored.list_by_owner(owner)] == \
                [d.id for d in sorted(dossiers, key=lambda d: (d.created_at, d.id), reverse=True) if d.owner == owner]
        for dossier in dossiers:  # and no index entry points at a dossier that lacks its key
            assert restored.list_by_id_number(dossier.applicant_id_number) == \
                [d for d in dossiers if d.applicant_id_number == dossier.applicant_id_number]


# -- refusals -------------------------------------------------------------------------------------

def flip_a_byte(archive: Path) -> None:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))


def truncate(archive: Path) -> None:
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])


def change_a_member(archive: Path) -> None:
    """Change one member's content, the tar itself staying valid (an uncompressed archive)."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for member, content in members:
            if member.name == "secret_key":
                content = bytes([content[0] ^ 1]) + content[1:]
            tar.addfile(member, io.BytesIO(content))
    archive.write_bytes(out.getvalue())


# A byte flipped in the compressed stream either breaks the stream ("bị hỏng") or, where the
# deflate data still decodes, changes a member before gzip's own CRC at the end is reached.
_FLIPPED = ("bị hỏng", "nội dung khác với manifest.json")


@pytest.mark.parametrize("suffix, damage, why", [
    (".tar.gz", flip_a_byte, _FLIPPED),
    (".tar.gz", truncate, ("bị hỏng",)),
    (".tar", truncate, ("bị hỏng",)),
    (".tar", change_a_member, ("secret_key: nội dung khác với manifest.json",)),
])
def test_a_damaged_archive_is_refused_before_anything_is_written(portal, archives, tmp_path, suffix, damage, why):
    archive = copy_of(archives[suffix], tmp_path)
    damage(archive)
    target = tmp_path / "khoi-phuc"
    result = run(portal, "restore", str(archive), "--instance", str(target))
    assert result.exit_code == 1 and "Không phục hồi" in result.output, result.output
    assert any(reason in result.output for reason in why), result.output
    assert not target.exists()


def test_a_file_that_is_no_backup_is_refused(app, tmp_path):
    archive = tmp_path / "khac.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(Path(app.instance_path) / "secret_key", arcname="secret_key")
    result = run(app, "restore", str(archive), "--instance", str(tmp_path / "khoi-phuc"))
    assert result.exit_code == 1 and "không có manifest.json" in result.output
    plain = tmp_path / "khong-phai.tar.gz"
    plain.write_bytes(gzip.compress(b"hello"))
    result = run(app, "restore", str(plain), "--instance", str(tmp_path / "khoi-phuc"))
    assert result.exit_code == 1 and "Không phục hồi" in result.output
    assert not (tmp_path / "khoi-phuc").exists()


def test_a_target_with_dossiers_or_accounts_is_refused_unless_forced(portal, archives, tmp_path, catalog):
    archive = archives[".tar.gz"]

    other = open_app(tmp_path / "cong-khac", catalog)
    resources.portal(other).dossiers.add(make_dossier(random.Random(3)))
    kept = every_file(Path(other.instance_path) / "store")
    result = run(portal, "restore", str(archive), "--instance", other.instance_path)
    assert result.exit_code == 1, result.output
    assert "đã có dữ liệu (1 hồ sơ); không phục hồi đè lên" in result.output and "--force" in result.output
    assert every_file(Path(other.instance_path) / "store") == kept

    result = run(portal, "restore", str(archive), "--instance", other.instance_path, "--force")
    assert result.exit_code == 0, result.output
    reopened = open_app(Path(other.instance_path), catalog)
    assert resources.portal(reopened).dossiers.query() == resources.portal(portal).dossiers.query()
    assert not list(Path(other.instance_path).glob(".backup-*"))


def test_with_postgresql_both_commands_refuse_and_print_the_pg_dump_and_pg_restore_commands(
        app, tmp_path, monkeypatch):
    monkeypatch.setenv("DVC_DATABASE_URL", "postgresql://dvc:bi-mat@db.example:5433/dichvucong?schema=vithanh")
    result = run(app, "backup", str(tmp_path / "ban-sao.tar.gz"), "--instance", app.instance_path)
    assert result.exit_code == 1 and "Cổng dùng PostgreSQL" in result.output
    assert "pg_dump -Fc --schema=vithanh --file=dichvucong.dump postgresql://dvc@db.example:5433/dichvucong" \
        in result.output
    assert "bi-mat" not in result.output  # the password stays out of the terminal
    assert not (tmp_path / "ban-sao.tar.gz").exists()
    result = run(app, "restore", str(Path(app.instance_path) / "secret_key"), "--instance", str(tmp_path / "moi"))
    assert result.exit_code == 1
    assert "pg_restore --clean --if-exists --no-owner --dbname=postgresql://dvc@db.example:5433/dichvucong" \
        in result.output
    assert not (tmp_path / "moi").exists()


def test_the_printed_pg_dump_and_pg_restore_commands_bring_a_postgresql_portal_back(tmp_path, catalog, monkeypatch):
    """The two commands the refusal prints, run as printed against the test server."""
    import subprocess

    import psycopg
    from psycopg import sql

    from tests.storage.conftest import POSTGRES_URL, fresh_schema

    with fresh_schema() as schema:
        monkeypatch.setenv("DVC_DATABASE_URL", f"{POSTGRES_URL}?schema={schema}")
        app = open_app(tmp_path / "cong", catalog)
        add_user(app, "congdan", id_number="093195001234")
        dossier = resources.portal(app).dossiers.add(make_dossier(random.Random(5)))
        users = resources.portal(app).users.list()
        resources.portal(app).close()

        result = run(app, "backup", str(tmp_path / "ban-sao.tar.gz"))
        commands = [line.split(": ", 1)[1] for line in result.output.splitlines() if "pg_dump" in line
                    or "pg_restore" in line]
        assert len(commands) == 2, result.output
        for command in commands:
            assert subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True).returncode == 0, command
            if "pg_dump" in command:  # the database is lost between the two
                with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))

        again = open_app(tmp_path / "cong", catalog)
        try:
            assert resources.portal(again).dossiers.get(dossier.id) == dossier
            assert resources.portal(again).users.list() == users
        finally:
            resources.portal(again).close()
