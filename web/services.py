"""Service information: the home page (quick pick and search) and one page per service."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine.definition import METHOD_NAMES
from engine.text import fold
from web import resources

bp = Blueprint("services", __name__)


_catalog = resources.catalog


@bp.get("/")
def home():
    query = request.args.get("q", "").strip()[:200]
    catalog = _catalog()
    results = catalog.search(query) if query else None
    return render_template("services/home.html", query=query, results=results, fields=catalog.by_field())


@bp.get("/linh-vuc/<path:field>")
def field(field: str):
    services = [s for s in _catalog() if fold(s.info.field) == fold(field)]
    if not services:
        abort(404)
    return render_template("services/field.html", field=services[0].info.field, services=services)


@bp.get("/dich-vu/<slug>")
def service(slug: str):
    found = _catalog().get(slug)
    if found is None:
        abort(404)
    return render_template("services/service.html", service=found, method_names=METHOD_NAMES)
