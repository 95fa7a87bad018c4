"""Who is signed in: server-side sessions over Flask's signed session cookie.

The cookie carries the user id and a random session id; a request is signed in only
while that session id is listed in the stored user's ``sessions``. Signing out removes
it, so a copied cookie is useless afterwards; a password change or reset ends the
other sessions the same way.

Used by every blueprint::

    from web.auth import actor, current_user, login_required, roles_required

    @bp.get("/quan-ly-ho-so")
    @login_required
    def dossiers():
        mine = repo.list_by_owner(actor().id)

Templates see the signed-in user (or None) as ``current_user``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for

from engine.accounts import User, modify, to_actor, with_session, without_session
from engine.dossier import Actor, Role
from web import resources

View = TypeVar("View", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    app.before_request(_load_user)
    app.context_processor(lambda: {"current_user": current_user()})


users = resources.users
passwords = resources.passwords


def current_user() -> User | None:
    """The signed-in user of this request, or None."""
    return g.get("user")


def actor() -> Actor:
    """The signed-in user as the engine's Actor; aborts with 401 when nobody is signed in."""
    user = current_user()
    if user is None:
        abort(401)
    return to_actor(user)


def session_id() -> str | None:
    return session.get("sid")


def _load_user() -> None:
    g.user = None
    user_id = session.get("uid")
    if user_id is None:
        return
    user = users().get(user_id)
    if user is None or not user.active or session.get("sid") not in user.sessions or _over(session.get("since")):
        # The session ended (signed out elsewhere, password changed, too many devices, or
        # PERMANENT_SESSION_LIFETIME since signing in).
        session.clear()
        return
    g.user = user


def _now() -> dt.datetime:
    return resources.portal().now()


def _over(since: Any) -> bool:
    """Whether a session signed in at ``since`` (a POSIX time; None for one signed in before
    the time was kept: it lasts as the cookie does) has outlived its lifetime."""
    if not isinstance(since, (int, float)):
        return False
    return _now().timestamp() >= since + current_app.permanent_session_lifetime.total_seconds()


def session_ends() -> dt.datetime | None:
    """When the signed-in session ends at the latest (a form page says so, and warns before)."""
    since = session.get("since")
    if current_user() is None or not isinstance(since, (int, float)):
        return None
    now = _now()
    return dt.datetime.fromtimestamp(since, now.tzinfo) + current_app.permanent_session_lifetime


def log_in(user: User) -> User:
    # A fresh session: nothing set before signing in (a planted session id, an old CSRF
    # token) carries over.
    session.clear()
    sid = secrets.token_urlsafe(32)
    user = modify(users(), user.id, lambda u: with_session(u, sid))
    session["uid"], session["sid"], session["since"] = user.id, sid, _now().timestamp()
    g.user = user
    return user


def log_out() -> None:
    user, sid = current_user(), session_id()
    if user is not None and sid is not None:
        modify(users(), user.id, lambda u: without_session(u, sid))
    session.clear()
    g.user = None


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: ``next`` must not send a
    citizen who just signed in to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _to_login() -> Any:
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("accounts.login", next=here))


def login_required(view: View) -> View:
    """Anonymous visitors are sent to "Đăng nhập", then back here."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _to_login()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: Role | str) -> Callable[[View], View]:
    """Like login_required; a signed-in user with another role gets the 403 page."""
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return _to_login()
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
