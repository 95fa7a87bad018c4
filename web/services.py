"""Service information: the home page (quick pick and search) and one page per service.

Each is the same for every anonymous visitor until the catalogue changes: ``web.page_cache``
keeps it (a search, with its query string, is rendered each time)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine.definition import METHOD_NAMES
from engine.text import fold
from web import resources
from web.page_cache import cached_page

bp = Blueprint("services", __name__)


_catalog = resources.catalog


@bp.get("/")
@cached_page
def home():
    query = request.args.get("q", "").strip()[:200]
    catalog = _catalog()
    results = catalog.search(query) if query else None
    return render_template("services/home.html", query=query, results=results, fields=catalog.by_field())


@bp.get("/linh-vuc/<path:field>")
@cached_page
def field(field: str):
    services = [s for s in _catalog() if fold(s.info.field) == fold(field)]
    if not services:
        abort(404)
    return render_template("services/field.html", field=services[0].info.field, services=services)


@bp.get("/dich-vu/<slug>")
@cached_page
def service(slug: str):
    found = _catalog().get(slug)
    if found is None:
        abort(404)
    return render_template("services/service.html", service=found, method_names=METHOD_NAMES)
