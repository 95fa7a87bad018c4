"""A form posted after its session ended is kept, and shown again after signing in.

A citizen who types a long form past the end of the signed-in session
(PERMANENT_SESSION_LIFETIME after signing in, or signed out elsewhere) would lose it:
the post fails the CSRF check (an expired cookie reads as an empty session) or the sign-in
check. Before either, :func:`keep_expired_post` looks at a post to a dossier form
("Đăng ký hồ sơ", "Cập nhật hồ sơ"): when its session has ended but the cookie still
names who it was (its signature checked, only its age not), and the post carries that
session's own CSRF token, the posted fields are kept on the server under a random
one-time token, and the citizen is sent to "Đăng nhập", then back to the form with the
token. The form page takes the fields back (:func:`take`) only for the same citizen and
the same form, once, and shows them unsaved: the citizen saves them with a fresh post,
CSRF checked as usual. A cross-site post carries no cookie (SameSite=Lax) and so keeps
nothing.

Bounded (engine.rescue): only text fields (files must be chosen again), at most ``MAX_CHARS``
characters of them, kept ``KEEP_SECONDS``, at most ``MAX_KEPT`` at once (the oldest go first).
They are kept in the portal's store of them (``resources.portal().rescued``): files in the
instance folder by default, a PostgreSQL table with ``DVC_DATABASE_URL`` set, so that a post
kept by one node is given back by any other. Posts kept in a node's folder before it moved
to PostgreSQL are not carried over: they are treated as expired.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from engine import rescue as rules
from engine.rescue import RescuedForms
from web import resources

FORMS = frozenset({"dossiers.create", "dossiers.update"})
TOKEN = "khoi-phuc"  # the query parameter that brings the kept fields back
_SKIPPED = {"csrf_token", "~draft", "~action"}


def _store() -> RescuedForms:
    store = resources.portal().rescued
    if store is None:
        raise RuntimeError("this portal has no store of rescued forms")
    return store


def _ended_session() -> dict[str, Any] | None:
    """The ended session of this request (its cookie checked but for its age), or None
    when the session is alive or no session can be read."""
    if session.get("uid"):
        from web.auth import _over  # the same rule as signing in

        user = resources.users().get(session["uid"])
        alive = user is not None and user.active and session.get("sid") in user.sessions and not _over(
            session.get("since"))
        return None if alive else dict(session)
    cookie = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    serializer = current_app.session_interface.get_signing_serializer(current_app)  # type: ignore[attr-defined]
    if not cookie or serializer is None:
        return None
    try:
        old = serializer.loads(cookie)  # no max_age: an expired cookie still says whose it was
    except BadSignature:
        return None
    return old if isinstance(old, dict) and old.get("uid") else None


def _csrf_matches(old: dict[str, Any]) -> bool:
    """The post carries the CSRF token of the session it was typed in (flask_wtf's check,
    without its time limit: the session's own end is the limit here)."""
    raw = old.get("csrf_token")
    posted = request.form.get("csrf_token", "")
    if not raw or not posted:
        return False
    try:
        token = URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").loads(posted)
    except BadSignature:
        return False
    return isinstance(token, str) and hmac.compare_digest(token, raw)


def keep_expired_post() -> Any:
    if request.method != "POST" or request.endpoint not in FORMS:
        return None
    old = _ended_session()
    if old is None or not _csrf_matches(old):
        return None  # alive (the view runs), or nothing to tie the post to (refused as before)
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in _SKIPPED]
    if not rules.keepable(fields):
        return None
    token = rules.new_token()
    _store().keep(token, old["uid"], request.path, fields, resources.portal().now())
    session.clear()
    flash(_("Phiên đăng nhập đã kết thúc trước khi biểu mẫu được gửi. Những gì bạn đã nhập được giữ lại: "
            "hãy đăng nhập lại để tiếp tục (tệp đính kèm cần chọn lại)."), "error")
    return redirect(url_for("accounts.login", next=f"{request.path}?{TOKEN}={token}"), 303)


def take(token: str | None, user_id: str, path: str) -> MultiDict | None:
    """The fields kept under ``token``, once, for the citizen and the form they were posted by."""
    if not rules.is_token(token):
        return None
    fields = _store().take(token, user_id, path, resources.portal().now())
    return None if fields is None else MultiDict(fields)


def init_app(app: Flask) -> None:
    """Registered before CSRFProtect, whose check would refuse the post first."""
    app.before_request(keep_expired_post)
