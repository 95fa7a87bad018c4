"""Error pages: every error a visitor can meet gets a page in their language, never a trace."""

from __future__ import annotations

import errno

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PAGES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Hệ thống không hiểu yêu cầu này. Xin vui lòng quay lại và thử lại.")),
    401: (_l("Cần đăng nhập"), _l("Bạn cần đăng nhập để sử dụng chức năng này.")),
    403: (_l("Không có quyền truy cập"), _l("Tài khoản của bạn không được phép sử dụng chức năng này.")),
    404: (_l("Không tìm thấy trang"), _l("Trang bạn tìm không tồn tại hoặc đã được chuyển đi.")),
    405: (_l("Yêu cầu không hợp lệ"), _l("Trang này không nhận yêu cầu theo cách vừa gửi.")),
    413: (_l("Tệp quá lớn"), _l("Dữ liệu gửi lên vượt quá dung lượng cho phép.")),
    429: (
        _l("Quá nhiều yêu cầu"),
        _l("Bạn đã thử quá nhiều lần trong một thời gian ngắn. Xin vui lòng đợi một lúc rồi thử lại."),
    ),
    500: (_l("Đã có lỗi xảy ra"), _l("Hệ thống gặp sự cố khi xử lý yêu cầu. Xin vui lòng thử lại sau.")),
}
UNAVAILABLE_PAGE = (
    _l("Hệ thống tạm thời không lưu được dữ liệu"),
    _l("Những gì bạn đã lưu trước đây vẫn còn nguyên; thao tác vừa rồi chưa được lưu. Xin vui lòng thử lại sau "
       "ít phút."),
)
# A store that cannot be written: a full or read-only disk, a quota; the database gone.
UNWRITABLE = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO})
CSRF_PAGE = (
    _l("Phiên làm việc đã hết hạn"),
    _l("Biểu mẫu đã quá hạn hoặc không được gửi từ trang của hệ thống. Xin vui lòng tải lại trang và thử lại."),
)


def error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message), status


def unavailable():
    """503 with Retry-After: the portal is up, its store is not (nothing was half-saved:
    every store writes a whole new file or row, or nothing)."""
    body, status = error_page(503, *UNAVAILABLE_PAGE)
    return body, status, {"Retry-After": "120"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return error_page(400, *CSRF_PAGE)

    @app.errorhandler(OSError)
    def store_failed(error: OSError):
        if error.errno not in UNWRITABLE:
            current_app.logger.exception("unexpected OSError")
            return error_page(500, *PAGES[500])
        current_app.logger.error("the store cannot be written: %s", errno.errorcode.get(error.errno, error.errno))
        return unavailable()

    if app.config.get("DATABASE_URL"):  # only a portal on PostgreSQL meets its errors (and imports it)
        import psycopg

        @app.errorhandler(psycopg.OperationalError)
        def database_failed(error: psycopg.OperationalError):
            current_app.logger.error("the database cannot be reached: %s", type(error).__name__)
            return unavailable()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        title, message = PAGES.get(error.code) or PAGES[500 if error.code >= 500 else 400]
        response = error.get_response()  # keeps headers such as Allow and Retry-After
        body, status = error_page(error.code, title, message)
        response.set_data(body)
        response.status_code = status
        response.mimetype = "text/html"
        return response
