"""The ``dichvucong`` command: tools for agency authors and operators.

``main`` is a :class:`flask.cli.FlaskGroup` whose app is ``web.create_app()`` (which reads
the ``DVC_*`` environment variables), built only when a command needs it: commands
declared with ``main.command()`` run inside its app context and reach the portal's
parts through ``web.resources``; those declared ``with_appcontext=False`` (``schemas
lint``, ``schemas import``, ``render``, ``print``, ``storage copy``, ``backup``, ``restore``, ``workflow``, ``calendar``) never build it, so they
need no instance folder. Tests invoke it with ``app.test_cli_runner().invoke(main, ...)``,
which hands it their own app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from engine.dossier import Status
from engine.lint import lint as lint_definitions
from operations import publishing
from web import resources, server


def _create_app():
    from web import create_app  # looked up at each call: tests replace it

    return create_app()


class PortalGroup(FlaskGroup):
    """A FlaskGroup with this program's commands and options only: none of Flask's
    (``--app``, ``--debug``, ``--env-file``, ``--version``; ``run``, ``shell``, ``routes``),
    no ``.env`` files, no ``FLASK_*`` variables for the options, no plugin commands; and
    ``--help`` lists the commands without building the app."""

    def __init__(self, **extra) -> None:
        super().__init__(create_app=_create_app, add_default_commands=False, add_version_option=False,
                         load_dotenv=False, set_debug_flag=False, context_settings={"auto_envvar_prefix": None},
                         **extra)
        self.params = [p for p in self.params if p.name not in {"env_file", "app", "debug"}]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return click.Group.list_commands(self, ctx)


@click.group(cls=PortalGroup, help="Cổng dịch vụ công trực tuyến: công cụ dòng lệnh.")
def main() -> None:
    pass


@main.group(help="Định nghĩa dịch vụ (schemas/).")
def schemas() -> None:
    pass


@schemas.command("lint", with_appcontext=False,
                 help="Kiểm tra định nghĩa dịch vụ (và lịch làm việc của cây schemas); in mỗi lỗi một "
                      "dòng 'tệp: con trỏ: lỗi'; cảnh báo không làm lệnh thất bại.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def schemas_lint(paths: tuple[Path, ...]) -> None:
    report = lint_definitions(list(paths) or [Path("schemas")])
    for problem in report.problems:
        click.echo(str(problem))
    for warning in report.warnings:  # beside the summary: stdout lists only what fails the lint
        click.echo(f"{warning} (cảnh báo)", err=True)
    summary = f"Đã kiểm tra {len(report.services)} dịch vụ hợp lệ trong {len(report.fields)} lĩnh vực"
    info_only = sum(1 for s in report.services if not s.has_form)
    if info_only:
        summary += f" ({info_only} dịch vụ chỉ cung cấp thông tin, không có biểu mẫu)"
    warned = f", {len(report.warnings)} cảnh báo" if report.warnings else ""
    if report.ok:
        click.echo(f"{summary}: không có lỗi{warned}.", err=True)
        return
    click.echo(f"{summary}; có {len(report.problems)} lỗi{warned}.", err=True)
    sys.exit(1)


@schemas.command("catalogue", with_appcontext=False,
                 help="In danh mục dịch vụ (mã, ngày bản ghi quốc gia, căn cứ pháp lý) dạng Markdown, "
                      "như docs/catalogue.md.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi vào tệp này thay vì in ra.")
def schemas_catalogue(out: Path | None) -> None:
    from engine.catalog import Catalog
    from engine.catalogue_doc import markdown

    text = markdown(Catalog.load().latest())
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@schemas.command("import", with_appcontext=False,
                 help="Tạo thư mục dịch vụ từ hồ sơ thủ tục của Cổng Dịch vụ công quốc gia (tệp JSON); "
                      "--form draft tạo thêm biểu mẫu nháp. In tên thư mục; cảnh báo in ra stderr.")
@click.argument("record", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", "form", type=click.Choice(["none", "draft"]), default="none", show_default=True,
              help="none: dịch vụ chỉ thông tin (mức độ 1); draft: kèm form.schema.json và sample.json nháp.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Thư mục chứa các thư mục dịch vụ.")
@click.option("--slug", help="Tên thư mục (mặc định: từ tên thủ tục).")
def schemas_import(record: Path, form: str, out: Path, slug: str | None) -> None:
    import json

    from engine.national_record import convert

    try:
        raw = json.loads(record.read_text(encoding="utf-8"))
        taken = {p.name for p in out.iterdir()} if out.is_dir() else set()
        draft = convert(raw, form=form, taken_slugs=taken, slug=slug)
    except (ValueError, AttributeError) as exc:
        raise click.ClickException(f"{record}: {exc}") from None
    folder = out / draft.slug
    if folder.exists():
        raise click.ClickException(f"{folder} đã có: chọn --slug khác")
    folder.mkdir(parents=True)
    for name, contents in draft.files.items():
        (folder / name).write_text(json.dumps(contents, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for warning in draft.warnings:
        click.echo(f"{record.name}: {warning} (cảnh báo)", err=True)
    click.echo(str(folder))


@schemas.command("publish", help="Kiểm tra rồi xuất bản một định nghĩa dịch vụ thành phiên bản mới "
                                 "(trong thư mục instance của cổng).")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--slug", help="Mã dịch vụ trên đường dẫn (mặc định: tên thư mục).")
def schemas_publish(folder: Path, slug: str | None) -> None:
    from engine.catalog import DefinitionError

    slug = slug or folder.resolve().name
    try:
        service = publishing.publish(resources.definitions(), resources.catalog(), folder, slug,
                                     schemas_root=Path(current_app.config["SCHEMAS_ROOT"]))
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"Không xuất bản: có {len(exc.problems)} lỗi.", err=True)
        sys.exit(1)
    click.echo(f"Đã xuất bản phiên bản {service.version} của dịch vụ {service.slug} ({service.info.name}).", err=True)


@schemas.command("withdraw", help="Ngừng nhận hồ sơ mới cho một dịch vụ (hồ sơ đã có vẫn được xử lý); "
                                  "--restore để nhận hồ sơ trở lại.")
@click.argument("slug")
@click.option("--restore", is_flag=True, help="Nhận hồ sơ trở lại.")
def schemas_withdraw(slug: str, restore: bool) -> None:
    try:
        service = publishing.withdraw(resources.definitions(), resources.catalog(), slug, withdrawn=not restore)
    except publishing.UnknownService:
        raise click.ClickException(f"Không có dịch vụ nào có mã {slug!r}") from None
    if restore:
        click.echo(f"Dịch vụ {slug} ({service.info.name}) nhận hồ sơ trở lại.", err=True)
    else:
        click.echo(f"Dịch vụ {slug} ({service.info.name}) đã ngừng nhận hồ sơ mới.", err=True)


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@main.command("calendar", with_appcontext=False,
              help="Lịch làm việc của một năm: ngày nghỉ, ngày làm việc bù (kèm lý do và nguồn: tệp lịch "
                   "của năm hoặc gói holidays) và số ngày làm việc.")
@click.argument("year", type=click.IntRange(1990, 2100))
def calendar(year: int) -> None:
    from importlib import metadata

    from engine.work_calendar import CalendarError, year_path
    from engine.workdays import PACKAGE, year_listing

    try:
        listing = year_listing(year)
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None
    package = f"gói {PACKAGE} {metadata.version(PACKAGE)}"
    sources = {"file": "tệp", PACKAGE: f"gói {PACKAGE}"}
    click.echo(f"Lịch làm việc năm {year}")
    if listing.file is None:
        click.echo(f"Nguồn: {package} (chưa có tệp {year_path(year)})")
    else:
        click.echo(f"Nguồn: tệp {listing.file.path}; ngày không có trong tệp theo {package}")

    def show(title: str, entries) -> None:
        click.echo(f"{title}:" if entries else f"{title}: không có")
        for entry in entries:
            click.echo(f"  {WEEKDAYS[entry.day.weekday()]:<8} {entry.day:%d/%m/%Y}  {entry.reason}"
                       f"  [{sources[entry.source]}]")

    show("Ngày nghỉ lễ, Tết và ngày nghỉ theo thông báo", listing.days_off)
    show("Ngày làm việc bù", listing.working_days)
    click.echo(f"Số ngày làm việc: {listing.working_day_count}")


@main.command("run", with_appcontext=False,
              help="Chạy cổng dịch vụ công: máy chủ gunicorn (mặc định), hoặc --dev máy chủ phát triển của Flask "
                   "(tự nạp lại khi mã thay đổi).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", envvar="DVC_WORKERS", type=click.IntRange(1, 64), show_default=True,
              default=server.DEFAULT_WORKERS, help="Số tiến trình (DVC_WORKERS).")
@click.option("--threads", envvar="DVC_THREADS", type=click.IntRange(1, 256), show_default=True,
              default=server.DEFAULT_THREADS, help="Số luồng mỗi tiến trình (DVC_THREADS).")
@click.option("--dev", is_flag=True, help="Máy chủ phát triển của Flask, tự nạp lại mã (không dùng cho công chúng).")
def run(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    # No app is built here: gunicorn's workers each build their own (web.server), and the
    # development server's reloader builds it in the process it restarts.
    from operations.mail import MailSettings
    from web import env_config, instance_folder

    instance = instance_folder()
    if not dev and server.metrics_folder(instance)[1] and "prometheus_client" in sys.modules:
        # PROMETHEUS_MULTIPROC_DIR was just set, but prometheus_client, imported here with the
        # portal, chose its single-process values at import: start again in a fresh
        # interpreter (same process, same arguments) that sees the variable from its first line.
        os.execv(sys.executable, sys.orig_argv)

    from werkzeug.serving import is_running_from_reloader

    if not is_running_from_reloader():
        click.echo(f"Cổng dịch vụ công: http://{server.bind_address(host, port)}/")
        settings = env_config()
        mail = MailSettings.from_config(settings)
        if mail.host is None:
            click.echo(
                f"Thư điện tử (kích hoạt tài khoản, đặt lại mật khẩu, ...): chưa đặt DVC_MAIL_HOST, nên thư "
                f"không được gửi đi mà lưu trong {instance / 'outbox'}/ và in ra màn hình này, kèm liên kết."
            )
        else:
            click.echo(f"Thư điện tử gửi qua máy chủ SMTP {mail.host}.")
        limits = settings.get("RATELIMIT_STORAGE_URI", "memory://")
        if not dev and workers > 1 and limits.startswith("memory://"):
            # Each worker keeps its own counters: say so where the operator looks first.
            click.echo(
                f"Giới hạn số lần đăng nhập, tra cứu, gửi thư được đếm riêng ở mỗi tiến trình ({workers} tiến "
                f"trình, nên mỗi người được {workers} lần giới hạn): đặt DVC_RATELIMIT_STORAGE=redis://… để các "
                f"tiến trình đếm chung (docs/deployment.md)."
            )
    if dev:
        from werkzeug.serving import run_simple

        # What `flask run --reload` does (app.run does nothing under a FlaskGroup, which sets
        # FLASK_RUN_FROM_CLI); the reloader's watching process never serves, so builds no app.
        app = _create_app() if is_running_from_reloader() else None
        run_simple(host, port, app, use_reloader=True, use_debugger=False, threaded=True)
        return
    server.serve(host, port, workers, threads)


# -- accounts ------------------------------------------------------------------------------

DEMO_ACCOUNTS = [
    dict(username="congdan", password="congdan-2025", full_name="Nguyễn Thị Thu Hà", email="congdan@example.com",
         phone="0912345678", id_number="093195001234", role="citizen", agencies=()),
    dict(username="canbo", password="canbo-2025", full_name="Trần Văn Phước", email="canbo@example.com",
         phone="02933870123", id_number=None, role="clerk",
         agencies=("ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh")),
    dict(username="quantri", password="quantri-2025", full_name="Lê Minh Tâm", email="quantri@example.com",
         phone=None, id_number=None, role="admin", agencies=()),
]


def _checked(title: str, check, value: str | None) -> None:
    from engine.formats import FormatProblem

    if value is None:
        return
    try:
        check(value)
    except FormatProblem as problem:
        raise click.UsageError(problem.template.format(title=title)) from None


def _create_user(*, username: str, password: str, full_name: str, email: str, phone: str | None,
                 id_number: str | None, role: str, agencies: tuple[str, ...]):
    """An active account of the current app, checked like the registration form (and
    agencies against the catalogue)."""
    from engine import formats
    from engine.accounts import DuplicateUser, User, check_password, check_username, lookup_key
    from engine.dossier import Role, new_id

    username, email = lookup_key("username", username), lookup_key("email", email)
    _checked("Tên truy cập", check_username, username)
    _checked("Mật khẩu", lambda p: check_password(p, username, (full_name, email)), password)
    _checked("Thư điện tử", formats.check_email, email)
    _checked("Số điện thoại", formats.check_phone, phone)
    _checked("Số định danh cá nhân", formats.check_id_number, id_number)  # 12 digits: no new CMND
    if not full_name.strip():
        raise click.UsageError("Họ và tên không được để trống")
    if role == Role.CLERK and not agencies:
        raise click.UsageError("Tài khoản cán bộ (--role clerk) cần ít nhất một --agency")
    if agencies and role != Role.CLERK:
        raise click.UsageError("--agency chỉ dùng cho tài khoản cán bộ (--role clerk)")
    known = {service.info.agency.code for service in resources.catalog()}
    unknown = sorted(set(agencies) - known)
    if unknown:
        raise click.UsageError(
            f"Không có cơ quan nào mã {', '.join(unknown)} trong danh mục dịch vụ (các mã có: {', '.join(sorted(known))})"
        )
    now = resources.portal().now()
    user = User(
        id=new_id(), username=username, full_name=full_name.strip(), email=email, phone=phone, id_number=id_number,
        password_hash=resources.passwords().hash(password), role=Role(role), agencies=list(agencies),
        active=True, created_at=now, activated_at=now,
    )
    try:
        return resources.users().add(user)
    except DuplicateUser as taken:
        what = {"username": "Tên truy cập", "email": "Thư điện tử", "id_number": "Số định danh cá nhân"}[taken.field]
        raise click.ClickException(f"{what} này đã được dùng cho một tài khoản khác") from None


@main.group(help="Tài khoản người dùng.")
def users() -> None:
    pass


@users.command("create", help="Tạo tài khoản đã kích hoạt (cán bộ cần --agency, có thể nhiều lần).")
@click.option("--username", required=True, help="Tên truy cập")
@click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt=True, help="Mật khẩu")
@click.option("--name", "full_name", required=True, help="Họ và tên")
@click.option("--email", required=True, help="Thư điện tử")
@click.option("--phone", help="Số điện thoại")
@click.option("--id-number", help="Số định danh cá nhân (12 chữ số)")
@click.option("--role", type=click.Choice(["citizen", "clerk", "admin"]), required=True)
@click.option("--agency", "agencies", multiple=True, help="Mã cơ quan, ví dụ ubnd-phuong-vi-thanh")
def users_create(**fields) -> None:
    from engine.accounts import ROLE_LABELS

    user = _create_user(**fields)
    click.echo(f"Đã tạo tài khoản {user.username} ({ROLE_LABELS[user.role].lower()}).")


@main.command("demo", help="Tạo các tài khoản dùng thử (chỉ những tài khoản chưa có) và in cách đăng nhập.")
def demo() -> None:
    from engine.accounts import ROLE_LABELS

    click.echo("Tài khoản dùng thử (tên truy cập / mật khẩu):")
    for account in DEMO_ACCOUNTS:
        existing = resources.users().get_by_username(account["username"])
        if existing is None:
            _create_user(**account)
        note = " (đã có sẵn; mật khẩu có thể đã được đổi)" if existing else ""
        role = ROLE_LABELS[account["role"]]
        click.echo(f"  {role:13} {account['username']} / {account['password']}  {account['full_name']}{note}")


# -- e-mail --------------------------------------------------------------------------------


@main.group(help="Thư điện tử.")
def mail() -> None:
    pass


@mail.command("retry", help="Gửi ngay các thư còn trong hàng đợi; mã thoát 1 nếu còn thư chưa gửi được.")
def mail_retry() -> None:
    mailer = resources.mailer()
    delivered = mailer.retry()
    left = mailer.depth()
    click.echo(f"Đã gửi {delivered} thư; còn {left} thư trong hàng đợi.")
    if left:
        sys.exit(1)


@mail.command("work", help="Gửi thư liên tục (đến khi dừng bằng Ctrl+C hoặc SIGTERM): một dịch vụ gửi thư "
                           "riêng, ngoài các tiến trình web.")
def mail_work() -> None:
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("Đang gửi thư trong hàng đợi; dừng bằng Ctrl+C.", err=True)
    try:
        resources.mailer().work(stop)
    except KeyboardInterrupt:
        pass


# -- the processing log's hash chain (engine/log_chain.py, operations/log_audit.py) -----------

@main.group("log", help="Nhật ký xử lý hồ sơ: kiểm tra chuỗi mã băm.")
def log_group() -> None:
    pass


@log_group.command("verify", help="Kiểm tra nhật ký xử lý của các hồ sơ (mọi hồ sơ nếu không cho mã): báo mục bị "
                                  "sửa, bị xoá, bị đổi thứ tự, dữ liệu thay đổi không ghi nhật ký; mã thoát 1 nếu có.")
@click.argument("ids", nargs=-1)
def log_verify(ids: tuple[str, ...]) -> None:
    from operations import log_audit

    repository = resources.dossiers()
    checked = tampered = unsealed = 0
    for dossier in log_audit.dossiers(repository, ids):
        if isinstance(dossier, str):
            click.echo(f"Hồ sơ {dossier}: không tìm thấy hồ sơ")
            tampered += 1
            continue
        checked += 1
        findings = log_audit.check(repository, dossier)
        for finding in findings:
            click.echo(str(finding))
        tampered += any(f.tampered for f in findings)
        unsealed += any(not f.tampered for f in findings)
    summary = f"Đã kiểm tra {checked} hồ sơ: {tampered} hồ sơ có dấu hiệu bị sửa nhật ký hoặc dữ liệu"
    if unsealed:
        summary += f", {unsealed} hồ sơ chưa được niêm phong (chạy “dichvucong log seal”)"
    click.echo(summary + ".")
    if tampered:
        sys.exit(1)


@log_group.command("seal", help="Niêm phong nhật ký của các hồ sơ cũ chưa có mã băm (mọi hồ sơ nếu không cho mã), "
                                "một lần: mỗi hồ sơ được ghi thêm một mục “Niêm phong nhật ký xử lý”.")
@click.argument("ids", nargs=-1)
def log_seal(ids: tuple[str, ...]) -> None:
    from operations import log_audit

    portal = resources.portal()
    sealed = 0
    for dossier in log_audit.dossiers(portal.dossiers, ids):
        if isinstance(dossier, str):
            raise click.ClickException(f"Không tìm thấy hồ sơ {dossier}")
        if log_audit.seal(portal.dossiers, dossier, portal.now()) is not None:
            sealed += 1
    click.echo(f"Đã niêm phong nhật ký của {sealed} hồ sơ.")


# -- issued documents (operations/documents.py, the page "Kiểm tra văn bản") ------------------

@main.group("documents", help="Văn bản Cổng đã cấp (biên nhận, phiếu, bản in, kết quả): thu hồi.")
def documents_group() -> None:
    pass


@documents_group.command("revoke", help="Thu hồi một văn bản đã cấp theo mã băm SHA-256 của nó (in trên trang "
                                        "“Kiểm tra văn bản”): trang ấy từ nay báo văn bản đã bị thu hồi, kèm lý do.")
@click.argument("sha256")
@click.option("--reason", required=True, help="Lý do thu hồi, hiện trên trang “Kiểm tra văn bản”.")
def documents_revoke(sha256: str, reason: str) -> None:
    from engine.documents import DocumentNotFound
    from operations import documents

    if not reason.strip():
        raise click.ClickException("Cần ghi lý do thu hồi (--reason).")
    try:
        revoked = documents.revoke(resources.portal(), sha256, reason)
    except DocumentNotFound:
        raise click.ClickException(f"Cổng không có văn bản nào đã cấp với mã băm {sha256}") from None
    click.echo(f"Văn bản {revoked.sha256} ({revoked.title}, {revoked.agency_name}, cấp "
               f"{revoked.issued_at:%d/%m/%Y %H:%M}) đã thu hồi lúc {revoked.revoked_at:%d/%m/%Y %H:%M}: "
               f"{revoked.revoked_reason}")


# -- printing (renderers/pdf.py, operations/printing.py) --------------------------------------

def _find_service(code: str, root: Path):
    """A service by folder slug or national code (1.001612); a broken definition is
    reported with its problems, the others still load."""
    from engine.catalog import definition_folders, load_folders

    services, problems = load_folders(definition_folders(root), root)
    for service in services:
        if code in (service.slug, service.info.code):
            return service
    own = [p for p in problems if f"/{code}/" in f"/{p}"]
    for problem in own:
        click.echo(str(problem), err=True)
    if own:
        raise click.ClickException(f"Định nghĩa dịch vụ {code} có lỗi; sửa các lỗi trên rồi in lại.")
    known = ", ".join(sorted(s.slug for s in services))
    raise click.ClickException(f"Không có dịch vụ nào có mã hoặc tên thư mục {code!r} (các dịch vụ: {known})")


@main.group("storage", help="Kho dữ liệu (tài khoản và hồ sơ).")
def storage_group() -> None:
    pass


@storage_group.command("copy", with_appcontext=False,
                       help="Chép mọi tài khoản, hồ sơ, tệp đính kèm, dịch vụ đã công bố và thư đang chờ từ thư mục "
                            "instance sang cơ sở dữ liệu DATABASE_URL (PostgreSQL, phải chưa có dữ liệu). "
                            "Hãy dừng cổng trước khi chép.")
@click.argument("database_url")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục instance (mặc định: $DVC_INSTANCE hoặc instance/).")
def storage_copy(database_url: str, instance: Path | None) -> None:
    from storage.transfer import TargetNotEmpty, copy_all

    instance = instance or _default_instance()
    if not (instance / "store" / "meta.json").is_file():
        raise click.ClickException(f"Không có kho hồ sơ TinyDB ở {instance / 'store'}")
    source = resources.open_stores(None, instance)
    target = resources.open_stores(database_url, instance)
    try:
        result = copy_all(source, target, on_progress=lambda n: click.echo(f"Đã chép {n} hồ sơ...", err=True))
    except TargetNotEmpty as full:
        raise click.ClickException(f"Cơ sở dữ liệu đích đã có dữ liệu ({full}); không chép.") from None
    finally:
        target.close()
    click.echo(f"Đã chép {result.users} tài khoản, {result.dossiers} hồ sơ, {result.files} tệp đính kèm, "
               f"{result.definitions} phiên bản dịch vụ đã công bố, {result.messages} thư đang chờ gửi, "
               f"{result.wallet_items} giấy tờ trong Kho giấy tờ của công dân và "
               f"{result.documents} văn bản trong sổ văn bản đã cấp (Kiểm tra văn bản). "
               "Đặt DVC_DATABASE_URL (và DVC_SECRET_KEY) để cổng dùng cơ sở dữ liệu này.")


# -- backup and restore (operations/backup.py, docs/backup.md) -----------------------------

def _refuse_postgres(what: str) -> None:
    """With PostgreSQL everything durable is in the database: say how to dump and restore it."""
    from operations.backup import postgres_commands

    url = os.environ.get("DVC_DATABASE_URL")
    if not url:
        return
    dump, restore = postgres_commands(url)
    click.echo(f"Cổng dùng PostgreSQL (DVC_DATABASE_URL): mọi dữ liệu nằm trong cơ sở dữ liệu, nên lệnh này "
               f"không {what}. Dùng các công cụ của PostgreSQL (xem docs/backup.md):\n"
               f"  Sao lưu:   {dump}\n"
               f"  Phục hồi (đã dừng cổng): {restore}", err=True)
    sys.exit(1)


_COUNTED = {"dossiers": "hồ sơ", "accounts": "tài khoản", "files": "tệp (đính kèm, kết quả, kho giấy tờ)",
            "definitions": "phiên bản định nghĩa dịch vụ", "messages": "thư chờ gửi",
            "wallet_items": "giấy tờ trong Kho giấy tờ của công dân"}


def _counts_text(counts, present_only: bool = False) -> str:
    """ "3 hồ sơ, 2 tài khoản, …" for operations.backup.Counts (``present_only``: no zeros)."""
    return ", ".join(f"{getattr(counts, field)} {noun}" for field, noun in _COUNTED.items()
                     if getattr(counts, field) or not present_only)


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


_INSTANCE_OPTION = click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=None,
                                help="Thư mục instance (mặc định: $DVC_INSTANCE hoặc instance/).")


@main.command("backup", with_appcontext=False,
              help="Sao lưu thư mục instance (hồ sơ, tài khoản, tệp, định nghĩa đã xuất bản, thư chờ gửi, khoá bí "
                   "mật) vào một tệp PATH (.tar.gz; nếu PATH là thư mục: một tệp mới có tên theo giờ), trong lúc "
                   "cổng vẫn chạy.")
@click.argument("path", type=click.Path(path_type=Path))
@_INSTANCE_OPTION
def backup_command(path: Path, instance: Path | None) -> None:
    from operations.backup import NoStore, backup

    _refuse_postgres("sao lưu")
    instance = instance or _default_instance()
    if not path.is_dir() and not path.parent.is_dir():
        raise click.ClickException(f"Không có thư mục {path.parent}")
    try:
        saved = backup(instance, path)
    except NoStore:
        raise click.ClickException(f"Không có kho hồ sơ TinyDB ở {instance / 'store'}") from None
    except FileExistsError:
        raise click.ClickException(f"Đã có tệp {path}; không ghi đè, hãy chọn tên khác.") from None
    click.echo(f"Đã sao lưu {_counts_text(saved.counts)} vào {saved.path} ({_size_text(saved.size)}).")


@main.command("restore", with_appcontext=False,
              help="Phục hồi một bản sao lưu của lệnh backup vào thư mục instance chưa có dữ liệu (--force: thay "
                   "dữ liệu đang có). Hãy dừng cổng trước khi phục hồi.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_INSTANCE_OPTION
@click.option("--force", is_flag=True, help="Thay toàn bộ dữ liệu đang có trong thư mục instance.")
def restore_command(path: Path, instance: Path | None, force: bool) -> None:
    import datetime as dt

    from engine.clock import VIETNAM
    from operations.backup import CorruptArchive, TargetNotEmpty, restore

    _refuse_postgres("phục hồi")
    instance = instance or _default_instance()
    try:
        restored = restore(path, instance, force=force)
    except CorruptArchive as bad:
        raise click.ClickException(f"Không phục hồi {path}: {bad}. Chưa ghi gì vào {instance}.") from None
    except TargetNotEmpty as full:
        raise click.ClickException(
            f"Thư mục {instance} đã có dữ liệu ({_counts_text(full.counts, present_only=True)}); không phục hồi đè lên. "
            "Dùng --force nếu thật sự muốn thay toàn bộ dữ liệu này.") from None
    taken = dt.datetime.fromisoformat(restored.created_at).astimezone(VIETNAM)
    click.echo(f"Đã phục hồi {_counts_text(restored.counts)} vào {instance} (bản sao lưu lúc "
               f"{taken:%H:%M ngày %d/%m/%Y}).")
    if not restored.secret_key:
        click.echo("Bản sao lưu không có khoá bí mật (secret_key): cổng cần đúng giá trị DVC_SECRET_KEY cũ, "
                   "nếu không các phiên đăng nhập và liên kết đã gửi sẽ không còn dùng được.", err=True)


@main.command("render", with_appcontext=False,
              help="In một dịch vụ ra PDF (hoặc HTML): biểu mẫu trống, hồ sơ mẫu, hoặc hồ sơ từ tệp JSON.")
@click.argument("service_code")
@click.option("--blank", is_flag=True, help="Biểu mẫu trống để điền tay (Tải về các biểu mẫu).")
@click.option("--sample", is_flag=True, help="Hồ sơ mẫu, đóng dấu MẪU trên mọi trang.")
@click.option("--data", "data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp JSON: dữ liệu biểu mẫu, hoặc một hồ sơ đã lưu (có id, service, data).")
@click.option("--receipt", "clerk", metavar="TÊN_CÁN_BỘ",
              help="Với --data là hồ sơ đã tiếp nhận: in Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--schemas", "schemas_root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục định nghĩa dịch vụ (mặc định: schemas/ của cổng).")
@click.option("--base-url", envvar="DVC_PUBLIC_URL", default="http://127.0.0.1:5000", show_default=True,
              help="Địa chỉ công khai của cổng, cho mã QR tra cứu hồ sơ.")
def render(service_code: str, blank: bool, sample: bool, data_file: Path | None, clerk: str | None, fmt: str,
           output: Path, schemas_root: Path | None, base_url: str) -> None:
    import json

    from engine.catalog import DEFAULT_ROOT
    from renderers import pdf

    if blank + sample + (data_file is not None) != 1:
        raise click.UsageError("Chọn đúng một trong --blank, --sample, --data FILE.json")
    if clerk is not None and data_file is None:
        raise click.UsageError("--receipt dùng kèm --data (một hồ sơ đã tiếp nhận)")
    service = _find_service(service_code, schemas_root or DEFAULT_ROOT)
    if not service.has_form:
        raise click.ClickException(f"Dịch vụ {service.slug} chỉ cung cấp thông tin: không có biểu mẫu để in.")
    if blank:
        html = pdf.render_blank_html(service)
    elif sample:
        html = pdf.render_sample_html(service)
    else:
        try:
            raw = json.loads(data_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise click.ClickException(f"{data_file}: không đọc được JSON: {exc}") from None
        dossier = _dossier_from(raw, service)
        for error in service.validate(dossier.data):
            click.echo(f"Cảnh báo: {error.path or '/'}: {error.message}", err=True)
        url = pdf.lookup_url_for(base_url, dossier.receipt_number) if dossier.receipt_number else None
        try:
            if clerk is not None:
                html = pdf.render_receipt_html(service, dossier, clerk, url)
            else:
                html = pdf.render_dossier_html(service, dossier, url)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        output.write_text(pdf.standalone_html(html), encoding="utf-8")
    else:
        output.write_bytes(pdf.html_to_pdf(html))
    click.echo(f"Đã ghi {output}", err=True)


def _dossier_from(raw, service):
    """A stored dossier (JSON with id, service and data), or form data wrapped in a draft."""
    from pydantic import ValidationError

    from engine.clock import system_clock
    from engine.dossier import Dossier, new_id

    if isinstance(raw, dict) and {"id", "service", "data", "created_at"} <= raw.keys():
        try:
            dossier = Dossier.from_json(raw)
        except ValidationError as exc:
            raise click.ClickException(f"Hồ sơ không hợp lệ: {exc}") from None
        if dossier.service != service.slug:
            raise click.ClickException(f"Hồ sơ thuộc dịch vụ {dossier.service}, không phải {service.slug}")
        return dossier
    if not isinstance(raw, dict):
        raise click.ClickException("Dữ liệu biểu mẫu phải là một đối tượng JSON")
    now = system_clock()
    return Dossier(id=new_id(), service=service.slug, agency=service.info.agency.code, owner="cli",
                   applicant_name="", data=raw, created_at=now, updated_at=now)


def _default_instance() -> Path:
    instance = os.environ.get("DVC_INSTANCE")
    return Path(instance) if instance else Path(__file__).resolve().parent.parent / "instance"


@main.command("print", with_appcontext=False,
              help="In hàng loạt hồ sơ ra PDF (mỗi hồ sơ một tệp, hoặc gộp một tệp) theo mã hoặc bộ lọc.")
@click.argument("ids", nargs=-1)
@click.option("--service", "service_code", help="Dịch vụ: tên thư mục hoặc mã thủ tục (1.001612).")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice([status.value for status in Status]), help="Trạng thái (có thể nhiều lần).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Nộp từ ngày (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Nộp đến ngày (YYYY-MM-DD).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outputs"), show_default=True, help="Thư mục ghi PDF.")
@click.option("--merge", is_flag=True, help="Gộp tất cả vào một tệp PDF.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=2, show_default=True, help="Số tiến trình in.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Kho hồ sơ TinyDB (mặc định: cơ sở dữ liệu $DVC_DATABASE_URL nếu có, "
                   "nếu không thì $DVC_INSTANCE/store hoặc instance/store).")
@click.option("--schemas", "schemas_root", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--base-url", envvar="DVC_PUBLIC_URL", default="http://127.0.0.1:5000", show_default=True,
              help="Địa chỉ công khai của cổng ($DVC_PUBLIC_URL), cho mã QR tra cứu hồ sơ và mã QR kiểm tra văn bản.")
@click.option("--no-issue", is_flag=True,
              help="Không cấp văn bản: không in mã kiểm tra, không ký số, không ghi vào sổ văn bản đã cấp "
                   "(bản nháp để xem).")
def print_command(ids: tuple[str, ...], service_code: str | None, statuses: tuple[str, ...], date_from, date_to,
                  out_dir: Path, merge: bool, jobs: int, store_path: Path | None, schemas_root: Path | None,
                  base_url: str, no_issue: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from engine.catalog import DEFAULT_ROOT
    from operations.printing import Issuer, print_dossiers
    from storage.documents import TinyDBDocumentRegistry
    from storage.tinydb_store import TinyDBStore

    filtered = service_code or statuses or date_from or date_to
    if not ids and not filtered:
        raise click.UsageError("Cho mã hồ sơ, hoặc ít nhất một bộ lọc (--service, --status, --from, --to)")
    instance = store_path.parent if store_path else _default_instance()
    database_url = None if store_path else os.environ.get("DVC_DATABASE_URL")
    if not database_url:
        store_path = store_path or instance / "store"
        if not (store_path / "meta.json").is_file():
            raise click.ClickException(f"Không có kho hồ sơ ở {store_path}")
    root = schemas_root or DEFAULT_ROOT
    # The portal's own store: TinyDB in a folder, or the database DVC_DATABASE_URL names.
    if store_path:
        store, definitions = TinyDBStore(store_path), instance / "definitions"
        registry = None if no_issue else TinyDBDocumentRegistry(instance / "documents")
    else:
        stores = resources.open_stores(database_url, instance)
        stores.definitions.versions()  # the published versions' files, into the node's cache folder
        store, definitions, registry = stores.dossiers, stores.definitions.root, stores.documents
    # Issued as the desk's prints are: a code and its QR code, the agency's signature, the registry.
    issuer = None if no_issue else Issuer(registry, _print_signer(instance))

    missing: list[tuple[str, str]] = []
    dossiers = []
    for dossier_id in dict.fromkeys(ids):
        found = store.get(dossier_id)
        if found is None:
            missing.append((dossier_id, "không tìm thấy hồ sơ"))
        else:
            dossiers.append(found)
    if filtered:
        slug = _find_service(service_code, root).slug if service_code else None
        seen = {d.id for d in dossiers}
        dossiers += [d for d in store.query(
            service=slug, statuses=[Status(s) for s in statuses] or None,
            submitted_from=date_from.date() if date_from else None, submitted_to=date_to.date() if date_to else None,
        ) if d.id not in seen]

    console = Console(stderr=True)
    columns = (TextColumn("Đang in"), BarColumn(), MofNCompleteColumn(), TextColumn("hồ sơ"), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("in", total=len(dossiers))
        result = print_dossiers(dossiers, out_dir, jobs=jobs, merge=merge, base_url=base_url, schemas_root=root,
                                definitions=definitions, issuer=issuer,
                                on_done=lambda _id, _error: progress.advance(task))
    failed = missing + result.failed
    where = result.written[-1] if merge and result.written else out_dir
    click.echo(f"Đã in {result.printed}/{len(dossiers) + len(missing)} hồ sơ vào {where}.", err=True)
    for dossier_id, reason in failed:
        click.echo(f"Lỗi: hồ sơ {dossier_id}: {reason}", err=True)
    if failed:
        sys.exit(1)


def _print_signer(instance: Path):
    """The portal's signing (web.signing) from the same settings, without building the app:
    DVC_SIGNING_KEYS, DVC_TSA_URL, DVC_CITY_NAME (the signature's place)."""
    from web import DEFAULT_CITY, env_config
    from web.signing import SigningSetupError, load_keys, signer

    config = env_config()
    try:
        keys = load_keys(config.get("SIGNING_KEYS"), instance)
    except SigningSetupError as exc:
        raise click.ClickException(str(exc)) from None
    return signer(keys, config.get("CITY_NAME", DEFAULT_CITY), config.get("TSA_URL") or None)


# -- the workflow (engine/workflow.py) -----------------------------------------------------

@main.command("workflow", with_appcontext=False,
              help="In sơ đồ trạng thái của hồ sơ (Mermaid), hoặc với --table bảng các thao tác (Markdown), "
                   "để cập nhật tài liệu.")
@click.option("--table", is_flag=True, help="Bảng các thao tác (Markdown) thay cho sơ đồ.")
def workflow(table: bool) -> None:
    from engine.workflow import WORKFLOW

    click.echo(WORKFLOW.markdown_table() if table else WORKFLOW.mermaid(), nl=False)
