"""Rate limits on guessing passwords and on sending e-mail (Flask-Limiter).

Counters are kept in memory, per process, unless ``RATELIMIT_STORAGE_URI``
(``DVC_RATELIMIT_STORAGE``) names a shared store such as ``redis://…`` or
``memcached://…``: with several worker processes, each would otherwise allow the full
limit. The limits are settings (``LOGIN_LIMIT_IP`` and the others in
``web.create_app``), so tests can lower them. A client is its address, which behind a
reverse proxy is the forwarded one (``TRUSTED_PROXIES``, werkzeug's ProxyFix).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # A moving window: a fixed one (the default) lets twice the limit through around
    # the boundary between two windows.
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)


def setting(name: str) -> Callable[[], str]:
    """The limit named by a setting, read when a request is counted."""
    return lambda: current_app.config[name]


def form_field(name: str) -> Callable[[], str]:
    """Count per value of a posted field (a username, an e-mail address), case-insensitively."""
    return lambda: f"{request.endpoint}:{name}:{request.form.get(name, '').strip().lower()}"
