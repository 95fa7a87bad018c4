"""Service information: the home page (quick pick and search) and one page per service,
with its forms to download ("Tải về các biểu mẫu").

Each page is the same for every anonymous visitor until the catalogue changes: ``web.page_cache``
keeps it (a search, with its query string, is rendered each time). The home and field pages
list the most used services first (``web.service_use``), so they are kept only for the
minute their counts are."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from engine.definition import METHOD_NAMES
from engine.text import fold
from web import form_downloads, resources
from web.page_cache import cached_page
from web.service_use import LIFETIME, most_used_first

bp = Blueprint("services", __name__)

FIELD_SHOWN = 6  # services of a field on the home page; a longer field links to its page
PDF_MAX_AGE = 600  # seconds a browser keeps a form without asking (then its ETag): a new version shows within it


_catalog = resources.catalog


@bp.get("/")
@cached_page(lifetime=LIFETIME)
def home():
    query = request.args.get("q", "").strip()[:200]
    catalog = _catalog()
    results = catalog.search(query) if query else None
    fields = {field: most_used_first(services) for field, services in catalog.by_field().items()}
    return render_template("services/home.html", query=query, results=results, fields=fields, shown=FIELD_SHOWN)


@bp.get("/linh-vuc/<path:field>")
@cached_page(lifetime=LIFETIME)
def field(field: str):
    services = [s for s in _catalog() if fold(s.info.field) == fold(field)]
    if not services:
        abort(404)
    return render_template("services/field.html", field=services[0].info.field, services=most_used_first(services))


@bp.get("/dich-vu/<slug>")
@cached_page
def service(slug: str):
    catalog = _catalog()
    found = catalog.get(slug)
    if found is None:
        abort(404)
    return render_template("services/service.html", service=found, method_names=METHOD_NAMES,
                           offers_forms=form_downloads.offers_forms(catalog, found))


@bp.get("/dich-vu/<slug>/bieu-mau.pdf")
def blank_form(slug: str):
    return _form_pdf(slug, "blank")


@bp.get("/dich-vu/<slug>/ho-so-mau.pdf")
def sample_form(slug: str):
    return _form_pdf(slug, "sample")


def _form_pdf(slug: str, kind: str) -> Response:
    catalog = _catalog()
    service = catalog.get(slug)
    if service is None or not form_downloads.offers_forms(catalog, service):
        abort(404)
    response = Response(form_downloads.pdf(service, kind), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{form_downloads.filename(service, kind)}"'
    response.cache_control.public = True
    response.cache_control.max_age = PDF_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)
