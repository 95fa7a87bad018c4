"""Languages: Vietnamese first, English second (Flask-Babel).

Templates and code are written in Vietnamese, which is the source language of the
catalogue; web/translations/en holds the English. The visitor's choice is kept in a
``lang`` cookie set by the switch in the page header.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_babel import Babel, get_locale, get_translations
from babel.support import NullTranslations

from engine.clock import VIETNAM_ZONE
from web.auth import safe_next

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"
COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    return chosen(request.cookies.get(COOKIE))


def chosen(cookie: str | None) -> str:
    """The language a ``lang`` cookie's value names (the default for none or an unknown one)."""
    return cookie if cookie in LANGUAGES else DEFAULT


@bp.get("/ngon-ngu/<lang>")
def switch(lang: str):
    if lang not in LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for("services.home"))
    response.set_cookie(
        COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _translations() -> NullTranslations:
    """This request's translations, looked up once: Flask-Babel's own template callables
    look them up again for each string (locale, domain, cache: about 70 % of a page's
    gettext time, and a page has dozens of strings). A request never changes its
    language part-way (nothing here uses ``force_locale``)."""
    found = g.get("_dvc_translations")
    if found is None:
        found = g._dvc_translations = get_translations()
    return found


def init_app(app: Flask) -> None:
    Babel(app, default_locale=DEFAULT, default_timezone=VIETNAM_ZONE, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # replaces Flask-Babel's, the same but for _translations()
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.register_blueprint(bp)
    app.context_processor(lambda: {"languages": LANGUAGES, "locale": str(get_locale())})
