"""The ``dichvucong`` command: tools for agency authors and operators."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.lint import lint as lint_definitions


@click.group(help="Cổng dịch vụ công trực tuyến: công cụ dòng lệnh.")
def main() -> None:
    pass


@main.group(help="Định nghĩa dịch vụ (schemas/).")
def schemas() -> None:
    pass


@schemas.command("lint", help="Kiểm tra định nghĩa dịch vụ; in mỗi lỗi một dòng 'tệp: con trỏ: lỗi'.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def schemas_lint(paths: tuple[Path, ...]) -> None:
    report = lint_definitions(list(paths) or [Path("schemas")])
    for problem in report.problems:
        click.echo(str(problem))
    summary = f"Đã kiểm tra {len(report.services)} dịch vụ hợp lệ trong {len(report.fields)} lĩnh vực"
    if report.ok:
        click.echo(f"{summary}: không có lỗi.", err=True)
        return
    click.echo(f"{summary}; có {len(report.problems)} lỗi.", err=True)
    sys.exit(1)


@main.command("run", help="Chạy cổng dịch vụ công (máy chủ phát triển).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    from web import create_app

    app = create_app()
    click.echo(f"Cổng dịch vụ công: http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)
