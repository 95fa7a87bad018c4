"""Public status lookup ("Tra cứu hồ sơ"): anyone, signed in or not, by receipt number
("Biên nhận") or ID number ("Số CMND"/CCCD).

Routes only: ``engine.public`` decides what is public (existence, service, status,
dates, a masked name and the processing log's actions; never content, address or ID
number) and finds nothing for drafts. An unknown value and a malformed or mistyped one
get the same page, apart from the echoed value, so probing learns nothing; both routes
share one rate limit per client address (``LOOKUP_LIMIT_IP``) so nobody can sweep
numbers. ``status_url`` is the address the QR code of a printed dossier encodes.

The query is posted (a form with its CSRF token), never put in the address: an ID number
in a URL would be kept by every access log, proxy and browser history on the way. An old
bookmark ``/tra-cuu?q=…`` looks nothing up: it is sent on to the empty form (so the number
leaves the address bar and no Referer carries it), with a word on why. The receipt's own
page, ``/tra-cuu/<receipt>``, stays an address: a receipt number is not personal, and it
is what the QR code holds. What still reaches a log (that bookmark, a mistyped address)
is masked by ``web.access_log``.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from engine import public
from engine.bounds import MAX_QUERY
from engine.clock import VIETNAM
from engine.dossier import STATUS_LABELS
from web import resources
from web.errors import error_page
from web.limits import limiter, setting

bp = Blueprint("lookup", __name__)


# One budget for both pages: alternating between them gives a sweeper nothing more.
# The empty form (a GET, or a post of nothing) is free: it looks nothing up.
_limit = limiter.shared_limit(
    setting("LOOKUP_LIMIT_IP"), scope="lookup",
    exempt_when=lambda: request.endpoint == "lookup.search" and not _query(),
)


def _query() -> str:
    """The posted value; a GET has none (an address never carries one)."""
    if request.method != "POST":
        return ""
    return request.form.get("q", "").strip()[:MAX_QUERY]


@bp.route("/tra-cuu", methods=["GET", "POST"])
@_limit
def search():
    if request.method == "GET" and request.args.get("q", "").strip():
        # An old bookmark or a shared address of the GET form: the value is not used.
        flash(_("Để bảo vệ thông tin cá nhân, trang tra cứu không còn nhận số ghi trên địa chỉ trang (như trong "
                "một dấu trang cũ). Xin vui lòng nhập lại số biên nhận hoặc số CMND/CCCD vào ô dưới đây rồi nhấn "
                "“Tra cứu”, và xóa dấu trang cũ vì nó có chứa số đó."), "info")
        return redirect(url_for("lookup.search"), 303)
    query = _query()
    results = public.lookup(resources.dossiers(), query) if query else None
    return _search_page(query, results)


@bp.get("/tra-cuu/<receipt>")
@_limit
def detail(receipt: str):
    found = public.by_receipt(resources.dossiers(), receipt[:MAX_QUERY])
    if found is None:  # the same answer as a search that finds nothing
        return _search_page(receipt[:MAX_QUERY], []), 404
    return render_template("lookup/detail.html", dossier=found, service=resources.catalog().get(found.service),
                           status_labels=STATUS_LABELS)


def _search_page(query: str, results: list[public.PublicDossier] | None) -> str:
    return render_template("lookup/search.html", query=query, results=results, catalog=resources.catalog(),
                           status_labels=STATUS_LABELS)


@bp.after_request
def _private(response):
    # The answer to a post shows the number typed, an old bookmark's address still holds
    # one: keep them out of shared caches and the browser's cache, search engines and the
    # Referer sent to other sites.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests):
    """The rate limit page, saying when the next lookup will be answered."""
    current = limiter.current_limit  # the limit that was breached
    reset_at = current.window[0] if current is not None else time.time() + 60
    seconds = max(1, math.ceil(reset_at - time.time()))
    when = dt.datetime.fromtimestamp(time.time() + seconds, VIETNAM)
    if seconds < 3600:
        message = _("Bạn đã tra cứu quá nhiều lần trong một thời gian ngắn. Xin vui lòng thử lại sau "
                    "%(minutes)s phút (lúc %(time)s).", minutes=math.ceil(seconds / 60), time=when.strftime("%H:%M"))
    else:
        message = _("Bạn đã tra cứu quá nhiều lần trong ngày. Xin vui lòng thử lại lúc %(time)s ngày %(date)s.",
                    time=when.strftime("%H:%M"), date=when.strftime("%d/%m/%Y"))
    body, status = error_page(429, _("Quá nhiều yêu cầu"), message)
    return body, status, {"Retry-After": str(seconds)}


def status_url(receipt_number: str) -> str:
    """The public status page of a dossier, as an absolute URL: what its QR code encodes.

    On ``PUBLIC_URL`` when set (works in any app context, e.g. the print command);
    otherwise on the address of the current request."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        path = current_app.url_map.bind("localhost").build("lookup.detail", {"receipt": receipt_number})
        return base.rstrip("/") + path
    return url_for("lookup.detail", receipt=receipt_number, _external=True)
