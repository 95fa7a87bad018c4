"""`dichvucong users create`, `dichvucong demo` and `dichvucong workflow`."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

import web
from engine.clock import VIETNAM
from engine.dossier import Role, Status
from engine.workflow import WORKFLOW
from tests.web.helpers import login
from web.cli import main as cli
from web import resources


@pytest.fixture
def portal(monkeypatch, tmp_path, catalog):
    """The app every command builds: one instance folder, the shared catalogue."""
    made, real = [], web.create_app

    def create_app(config=None):
        app = real({"INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"})
        made.append(app)
        return app

    monkeypatch.setattr(web, "create_app", create_app)
    return made


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_create_a_clerk_who_can_sign_in_at_once(portal):
    result = run("users", "create", "--username", "CanBo2", "--password", "mot-cua-2025", "--name", "Huỳnh Văn Lợi",
                 "--email", "loi@example.com", "--role", "clerk", "--agency", "ubnd-phuong-vi-thanh")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản canbo2 (cán bộ)" in result.output
    app = portal[-1]
    user = resources.portal(app).users.get_by_username("canbo2")
    assert user.active and user.role == Role.CLERK and user.agencies == ["ubnd-phuong-vi-thanh"]
    assert login(app.test_client(), "canbo2", "mot-cua-2025").status_code == 302


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "clerk"], "cần ít nhất một --agency"),
        (["--role", "clerk", "--agency", "ubnd-khong-co"], "Không có cơ quan nào mã ubnd-khong-co"),
        (["--role", "admin", "--agency", "ubnd-phuong-vi-thanh"], "--agency chỉ dùng cho tài khoản cán bộ"),
        (["--role", "citizen", "--id-number", "12345"], "Số định danh cá nhân phải gồm 12 chữ số"),
        (["--role", "citizen", "--id-number", "093186004"], "số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025"),
        (["--role", "citizen", "--password", "12345678"], "Mật khẩu không được chỉ gồm chữ số"),
    ],
)
def test_create_refuses_what_registration_refuses(portal, extra, message):
    args = ["users", "create", "--username", "thuky", "--password", "mot-cua-2025", "--name", "Thư Ký",
            "--email", "thuky@example.com"]
    result = run(*args, *extra)
    assert result.exit_code == 2 and message in result.output


def test_create_refuses_a_taken_username(portal):
    args = ["users", "create", "--username", "quantri", "--password", "quan-tri-2025", "--name", "Quản Trị",
            "--email", "qt@example.com", "--role", "admin"]
    assert run(*args).exit_code == 0
    result = run(*args[:-4], "--email", "khac@example.com", "--role", "admin")
    assert result.exit_code == 1 and "Tên truy cập này đã được dùng" in result.output


def test_demo_accounts_are_created_once_and_work(portal):
    first = run("demo")
    assert first.exit_code == 0, first.output
    for login_line in ("congdan / congdan-2025", "canbo / canbo-2025", "quantri / quantri-2025"):
        assert login_line in first.output
    second = run("demo")
    assert second.exit_code == 0 and "đã có sẵn" in second.output
    app = portal[-1]
    users = resources.portal(app).users
    assert users.count() == 3
    assert users.get_by_username("canbo").agencies == ["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"]
    assert users.get_by_username("quantri").role == Role.ADMIN
    assert login(app.test_client(), "congdan", "congdan-2025").status_code == 302


def test_a_command_works_on_the_app_the_runner_is_given(app, runner):
    """``app.test_cli_runner()`` hands the command its app: the account is in that app's
    store, stamped by that app's clock."""
    moment = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VIETNAM)
    resources.portal(app).clock = lambda: moment
    result = runner.invoke(cli, ["users", "create", "--username", "ThuKy", "--password", "mot-cua-2025",
                                 "--name", "Đặng Thị Thư", "--email", "thu@example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản thuky (quản trị" in result.output
    user = resources.portal(app).users.get_by_username("thuky")
    assert user.active and user.role == Role.ADMIN
    assert user.created_at == user.activated_at == moment
    assert login(app.test_client(), "thuky", "mot-cua-2025").status_code == 302


def test_workflow_prints_the_state_diagram_and_the_table(runner):
    diagram = runner.invoke(cli, ["workflow"])
    assert diagram.exit_code == 0, diagram.output
    assert diagram.output.startswith("stateDiagram-v2\n")
    for status in Status:
        assert status.value in diagram.output
    assert diagram.output == WORKFLOW.mermaid()
    table = runner.invoke(cli, ["workflow", "--table"])
    assert table.exit_code == 0, table.output
    assert table.output == WORKFLOW.markdown_table()
    assert table.output.startswith("| action | from | to |")
