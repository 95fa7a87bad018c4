"""The side menu of fields ("Lĩnh vực"), drawn once per catalogue and language.

Most pages show it beside their content: a link and a count of services for each field,
which change only when the catalogue does (a publish or a withdrawal swaps the catalogue
object, web.authoring). Drawn on every request it cost a tenth of a lookup page's time
(a ``url_for`` and a loop step per field), so base.html calls ``field_menu()``, which keeps
the HTML per language for the catalogue it was drawn from, on the app (``url_for`` depends
on the app's settings), and draws it again for another catalogue.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

from web import resources

_KEY = "dvc.field_menu"  # app.extensions: language -> (catalogue, its menu)


def field_menu() -> Markup:
    catalog, locale = resources.catalog(), str(get_locale())
    drawn = current_app.extensions[_KEY]
    kept = drawn.get(locale)
    if kept is None or kept[0] is not catalog:
        # Two threads may both draw it once after a publish: the same HTML, no harm.
        kept = drawn[locale] = (catalog, Markup(render_template("layout/field_menu.html", catalog=catalog)))
    return kept[1]


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = {}
    app.jinja_env.globals["field_menu"] = field_menu
