"""The Flask application: a thin layer over the engine.

``create_app`` reads configuration from the environment (see README), loads the
service catalogue once (a broken definition stops start-up with the file and pointer
at fault) and registers one blueprint per area.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import workdays
from engine.catalog import DEFAULT_ROOT, Catalog
from web import (access_log, accounts, auth, authoring, desk, dossiers, errors, favicon, field_menu, form_downloads,
                 health, i18n, input_checks, limits, lookup, mail, metrics, page_cache, places, request_log, rescue,
                 resources, security_headers, service_use, services, signing, verify, wallet)

DEFAULT_CITY = "Thành phố Vị Thanh"  # CITY_NAME unless DVC_CITY_NAME says otherwise

# DVC_* environment variable -> setting, for the settings taken as they are.
_ENV = {
    "DVC_CITY_NAME": "CITY_NAME",
    "DVC_SECRET_KEY": "SECRET_KEY",
    "DVC_PUBLIC_URL": "PUBLIC_URL",
    "DVC_MAIL_HOST": "MAIL_HOST",
    "DVC_MAIL_PORT": "MAIL_PORT",
    "DVC_MAIL_SECURITY": "MAIL_SECURITY",
    "DVC_MAIL_USERNAME": "MAIL_USERNAME",
    "DVC_MAIL_PASSWORD": "MAIL_PASSWORD",
    "DVC_MAIL_FROM": "MAIL_FROM",
    "DVC_MAIL_TIMEOUT": "MAIL_TIMEOUT",  # seconds for one SMTP conversation (default 10)
    "DVC_MAIL_SENDER": "MAIL_SENDER",  # 0: the web workers only queue; `dichvucong mail work` sends
    "DVC_RATELIMIT_STORAGE": "RATELIMIT_STORAGE_URI",
    "DVC_DATABASE_URL": "DATABASE_URL",  # web.resources.BACKENDS; unset: TinyDB under the instance folder
    "DVC_LOG_FORMAT": "LOG_FORMAT",  # web.request_log: json, one line per request; unset: text
    "DVC_METRICS_FROM": "METRICS_FROM",  # web.metrics: who may read /metrics
    "DVC_SIGNING_KEYS": "SIGNING_KEYS",  # web.signing: each agency's PKCS#12 key (JSON, or a JSON file's path)
    "DVC_TSA_URL": "TSA_URL",  # web.signing: a time-stamping authority for the signatures
}


def env_config() -> dict[str, Any]:
    """Settings from DVC_* environment variables; anything unset keeps its default."""
    config: dict[str, Any] = {key: os.environ[var] for var, key in _ENV.items() if os.environ.get(var)}
    if "DVC_SCHEMAS" in os.environ:
        config["SCHEMAS_ROOT"] = Path(os.environ["DVC_SCHEMAS"])
    if "DVC_SECURE_COOKIES" in os.environ:
        config["SESSION_COOKIE_SECURE"] = os.environ["DVC_SECURE_COOKIES"] == "1"
    if os.environ.get("DVC_TRUSTED_PROXIES"):
        config["TRUSTED_PROXIES"] = int(os.environ["DVC_TRUSTED_PROXIES"])
    return config


def instance_folder() -> Path:
    """The portal's instance folder (its data, its key): ``DVC_INSTANCE``, or else Flask's
    default for this package, ``instance/`` beside ``web/`` in a checkout and
    ``<prefix>/var/web-instance`` when installed (``pip install``). Also for the server's
    master process (web.server), which builds no app."""
    instance = os.environ.get("DVC_INSTANCE")
    # Flask's own rule (App.auto_find_instance_path), read from a bare app of this package.
    return Path(instance).resolve() if instance else Path(Flask(__name__).instance_path)


def _cache_folder(app: Flask, part: str = "") -> Path:
    """What a start may reuse from the last one (checked forms, compiled templates): always
    safe to delete."""
    folder = Path(app.instance_path) / "cache" / part
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance).resolve() if instance else instance_folder()))
    app.config.from_mapping(
        CITY_NAME=DEFAULT_CITY,
        SCHEMAS_ROOT=DEFAULT_ROOT,
        PUBLIC_URL=None,  # e.g. https://dichvucong.vithanh.gov.vn: the address in e-mailed links
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,  # DVC_SECURE_COOKIES=1 behind HTTPS; off so `make run` works on http
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),  # a signed-in session lasts 12 h at most
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session: long forms take long to fill
        PASSWORD_PROFILE="RFC_9106_LOW_MEMORY",  # argon2.profiles; tests use CHEAPEST
        LOGIN_LIMIT_IP="30 per minute",
        LOGIN_LIMIT_USERNAME="5 per minute;20 per hour",  # failed sign-ins only
        REGISTER_LIMIT_IP="10 per hour",
        MAIL_LIMIT_IP="10 per hour",  # "Gửi lại thư kích hoạt", "Quên mật khẩu", a new e-mail address
        MAIL_LIMIT_ADDRESS="3 per hour",
        LOOKUP_LIMIT_IP="20 per minute;200 per day",  # "Tra cứu hồ sơ": both pages together
        VERIFY_LIMIT_IP="20 per minute;200 per day",  # "Kiểm tra văn bản": the upload and the hash's page
        TRUSTED_PROXIES=0,  # reverse proxies in front whose X-Forwarded-* headers are believed
    )
    app.config.update(env_config())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # CATALOG: one already loaded, which tests share (loading takes about half a second).
    # A start whose schemas passed before skips their checks (engine.catalog.CheckedForms).
    builtin = app.config.pop("CATALOG", None) or Catalog.load(Path(app.config["SCHEMAS_ROOT"]),
                                                              cache=_cache_folder(app))
    # The working calendar's year files, checked now: a bad one stops the start naming the
    # file and the entry, rather than the first acceptance that needs its year.
    workdays.check_year_files()
    parts = resources.init_app(app, builtin)  # the catalogue gains the published versions and withdrawals
    signing.init_app(app)  # each agency's key: one that cannot be used stops the start here

    @app.context_processor
    def layout() -> dict[str, Any]:
        return {"city_name": app.config["CITY_NAME"], "catalog": parts.catalog}

    access_log.init_app(app)  # no ID number or link token in any log line
    request_log.init_app(app)
    errors.init_app(app)
    input_checks.init_app(app)  # before CSRF and the views: a NUL character is refused outright
    security_headers.init_app(app)
    i18n.init_app(app)
    rescue.init_app(app)  # before CSRF: a form posted after its session ended is kept, not refused
    CSRFProtect(app)
    limits.init_app(app)
    mail.init_app(app)
    auth.init_app(app)
    authoring.init_app(app)  # every request first picks up what any process published
    field_menu.init_app(app)  # the side menu of fields, drawn once per catalogue and language
    page_cache.init_app(app)  # pages that change only with the catalogue, per catalogue and language
    service_use.init_app(app)  # dossiers sent per service, counted at most once a minute (the home page's order)
    form_downloads.init_app(app)  # "Tải về các biểu mẫu": each PDF rendered once per service version
    # Compiled templates kept between starts: a fresh worker's first pages skip compiling them.
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(_cache_folder(app, "templates")))

    app.register_blueprint(services.bp)
    app.register_blueprint(places.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(dossiers.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(lookup.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(wallet.bp)
    app.register_blueprint(authoring.bp)
    favicon.init_app(app)  # /favicon.ico and /favicon.svg
    health.init_app(app)  # /healthz, /readyz and /metrics answer before the other request hooks
    metrics.init_app(app)
    # Kept pages for visitors with no session cookie, answered before Flask (web.page_cache).
    app.wsgi_app = page_cache.Front(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("TRUSTED_PROXIES"):
        # Behind reverse proxies the client is the address they forward, not theirs: without
        # this every citizen would share one rate-limit counter (and one proxy's limit).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
