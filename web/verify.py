"""The public verification page ("Kiểm tra văn bản"): is this PDF one the portal issued, unchanged?

Anyone, signed in or not, uploads a PDF (at most ``MAX_MB``, a PDF by its content) and
learns what ``operations.documents.verify`` finds: whether its signature is the issuing
agency's and intact, whether its SHA-256 is that of a document the portal issued, which
agency issued it and when, and whether it was revoked; nothing else about the dossier (no
name, ID number or content). ``/kiem-tra-van-ban/<sha256>`` shows the same record for a
hash (an address a letter can carry); ``/kiem-tra-van-ban/ma/<code>`` the record of the document
printed with that verification code (what its QR code opens; the page's "Mã kiểm tra" field, a
GET form with no personal data, leads there). The file is read, hashed and checked in
memory, never kept. Both pages share one rate limit per client address
(``VERIFY_LIMIT_IP``), as the lookup's do; the upload form carries its CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.documents import grouped_code, normalize_code
from engine.uploads import is_pdf
from operations import documents
from web import resources
from web.limits import limiter, setting

bp = Blueprint("verify", __name__)

MAX_MB = 10  # a result file's limit (operations.desk.RESULT_FILE_MB): the largest PDF the portal issues

# One budget for every page that answers; the empty form (a GET of /kiem-tra-van-ban) and the code
# field's redirect (to the code's page, which counts) check nothing and are free.
_limit = limiter.shared_limit(
    setting("VERIFY_LIMIT_IP"), scope="verify",
    exempt_when=lambda: (request.endpoint == "verify.check" and request.method != "POST")
    or request.endpoint == "verify.by_code_form",
)


@bp.route("/kiem-tra-van-ban", methods=["GET", "POST"])
@_limit
def check():
    if request.method != "POST":
        return _page()
    upload = request.files.get("van_ban")
    data = upload.read(MAX_MB * 1024 * 1024 + 1) if upload is not None and upload.filename else b""
    if not data:
        return _page(error=_("Xin vui lòng chọn tệp PDF cần kiểm tra.")), 400
    if len(data) > MAX_MB * 1024 * 1024:
        return _page(error=_("Tệp lớn quá %(mb)s MB: văn bản do Cổng cấp không lớn đến vậy.", mb=MAX_MB)), 413
    if not is_pdf(data):
        return _page(error=_("Tệp không phải là PDF (hệ thống kiểm tra nội dung tệp, không theo tên tệp).")), 400
    return _page(verdict=documents.verify(resources.portal(), data))


@bp.get("/kiem-tra-van-ban/ma")
@_limit
def by_code_form():
    """The "Mã kiểm tra" field of the page (a GET form): to the code's own address, as printed
    or typed (any case, with or without dashes); a value that is not a code is answered there too."""
    typed = request.args.get("ma", "")[:40].strip()
    if not typed:
        return redirect(url_for("verify.check")), 303
    return redirect(url_for("verify.by_code", code=normalize_code(typed) or typed)), 303


@bp.get("/kiem-tra-van-ban/ma/<path:code>")  # path: a mistyped code with a slash is answered here too
@_limit
def by_code(code: str):
    """The record of the document printed with this code (what its QR code opens)."""
    code = code[:40]
    verdict = documents.by_code(resources.portal(), code)
    if verdict is None:
        return render_template("verify/document.html", verdict=None, sha256="", code=code,
                               well_formed=normalize_code(code) is not None), 404
    return render_template("verify/document.html", verdict=verdict, sha256=verdict.sha256,
                           code=grouped_code(verdict.document.code))


@bp.get("/kiem-tra-van-ban/<sha256>")
@_limit
def by_hash(sha256: str):
    verdict = documents.by_hash(resources.portal(), sha256[:64])
    if verdict is None:
        return render_template("verify/document.html", verdict=None, sha256=sha256[:64], code=""), 404
    return render_template("verify/document.html", verdict=verdict, sha256=verdict.sha256, code="")


def verify_url(code: str) -> str:
    """The verification page of an issued document's code, as an absolute URL: what its QR code
    encodes. On ``PUBLIC_URL`` when set (any app context: the print command); otherwise on the
    address of the current request (as web.lookup.status_url)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + current_app.url_map.bind("localhost").build("verify.by_code", {"code": code})
    return url_for("verify.by_code", code=code, _external=True)


def verification(code: str):
    """What a PDF issued now prints to be checked (renderers.pdf.Verification) for its reserved code."""
    from renderers.pdf import Verification  # with the printer's module, imported by the first print

    return Verification(code, verify_url(code))


def _page(verdict: documents.Verdict | None = None, error: str = "") -> str:
    return render_template("verify/check.html", verdict=verdict, error=error, max_mb=MAX_MB)


@bp.after_request
def _private(response):
    # The answer concerns one person's document: no shared cache keeps it, no search engine lists it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
