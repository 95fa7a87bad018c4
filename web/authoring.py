"""Agency authoring ("Quản trị dịch vụ"): upload, check, preview, publish and withdraw
service definitions in the browser. Administrators only.

Routes only: reading an upload safely is ``web.definition_upload``; the checks, the
new version and the catalogue after it are ``operations.publishing`` (the same code as
``dichvucong schemas publish``); the files are ``storage.definitions``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from engine.bounds import MAX_SLUG, MAX_UPLOAD
from engine.catalog import Catalog, DefinitionError, Service
from engine.forms import ACTION, apply_action, parse_form
from engine.text import fold
from engine.versions import affected, changes
from renderers.html import render_display, render_form
from storage.definitions import SLUG
from operations import publishing
from web import resources
from web.auth import roles_required
from web.definition_upload import DefinitionUploadRefused, UploadArea, read_upload

bp = Blueprint("authoring", __name__, url_prefix="/quan-tri/dich-vu")
UPLOAD_BODY = MAX_UPLOAD + 64 * 1024  # the files, plus the multipart framing and the form's few fields


def init_app(app: Flask) -> None:
    """Every request first picks up what any process published since (one stat() when
    nothing was); the uploads being previewed wait under the instance folder."""
    app.extensions["definition_uploads"] = UploadArea(Path(app.instance_path) / "definition-uploads")
    app.before_request(_refresh_catalog)


def uploads(app: Flask | None = None) -> UploadArea:
    """The uploads being checked and previewed, before they are published."""
    return (app or current_app).extensions["definition_uploads"]


def _refresh_catalog() -> None:
    refresh_catalog(current_app)


def refresh_catalog(app: Flask) -> Catalog:
    """The app's catalogue, after picking up what any process published or withdrew since
    (also for pages answered before Flask: web.page_cache.Front)."""
    parts = resources.portal(app)
    try:
        fresh = parts.sync.refresh()
    except DefinitionError as exc:  # published by a process running other code: keep serving
        app.logger.error("Không nạp được định nghĩa dịch vụ đã xuất bản:\n%s", exc)
        return parts.catalog
    if fresh is not None:
        parts.catalog = fresh
    return parts.catalog


@bp.url_value_preprocessor
def _limit_upload(endpoint: str | None, _values) -> None:
    """An upload larger than allowed is refused before it is read (url value
    preprocessors run before every before_request, CSRFProtect's included, which reads
    the form): RequestEntityTooLarge, answered below with the upload page."""
    if endpoint == "authoring.upload":
        request.max_content_length = UPLOAD_BODY


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return render_template("authoring/upload.html", slug="",
                           refusal=_("Dung lượng tải lên vượt quá %(size)s.",
                                     size=f"{MAX_UPLOAD // (1024 * 1024)} MB")), 413


def _schemas_root() -> Path:
    return Path(current_app.config["SCHEMAS_ROOT"])


def _reload() -> None:
    """This process's catalogue, at once after its own publish or withdrawal."""
    _refresh_catalog()


# -- the list ----------------------------------------------------------------------------------

@bp.get("")
@roles_required("admin")
def index():
    catalog = resources.catalog()
    counts = Counter(d.service for d in resources.dossiers().query())
    services = sorted(catalog.latest(), key=lambda s: (fold(s.info.field), fold(s.info.name)))
    return render_template("authoring/index.html", services=services, counts=counts, catalog=catalog)


# -- upload and check --------------------------------------------------------------------------

@bp.route("/tai-len", methods=["GET", "POST"])
@roles_required("admin")
def upload():
    slug = (request.form.get("slug") or request.args.get("slug") or "").strip()
    if request.method == "GET":
        return render_template("authoring/upload.html", slug=slug)

    def refused(message: str, status: int = 400):
        return render_template("authoring/upload.html", slug=slug, refusal=message), status

    try:
        uploaded = read_upload(request.files.getlist("files"))
    except DefinitionUploadRefused as exc:
        return refused(exc.message)
    slug = slug or uploaded.folder or ""
    if not slug:
        return refused(_("Hãy nhập mã dịch vụ (tên thư mục trên đường dẫn), hoặc tải lên tệp .zip của cả thư mục."))
    if len(slug) > MAX_SLUG:  # no folder may be named so (the file system's own limit is near)
        return refused(_("Mã dịch vụ dài quá %(limit)s ký tự (mã đã nhập có %(length)s ký tự); hãy đặt mã ngắn hơn.",
                         limit=MAX_SLUG, length=len(slug)))
    if not SLUG.fullmatch(slug):
        return refused(_("Mã dịch vụ “%(slug)s” không hợp lệ: %(hint)s.", slug=slug, hint=_(publishing.SLUG_HINT)))
    token = uploads().save(uploaded, slug)
    checked = publishing.check(uploads().folder(token), slug, resources.catalog(), relative=True,
                               schemas_root=_schemas_root())
    if not checked.ok:
        uploads().discard(token)
        return render_template("authoring/upload.html", slug=slug, problems=checked.problems), 422
    return redirect(url_for("authoring.preview", token=token))


def _checked(token: str, form: bool = False) -> Service:
    """The previewed upload, checked again (the catalogue may have changed since); 404
    when it is unknown or expired (or, with ``form``, has no form to show), the problems
    page when it no longer passes."""
    folder = uploads().folder(token)
    if folder is None:
        abort(404)
    checked = publishing.check(folder, folder.name, resources.catalog(), relative=True, schemas_root=_schemas_root())
    if not checked.ok:
        abort(Response(render_template("authoring/upload.html", slug=folder.name, problems=checked.problems), 422))
    if form and not checked.service.has_form:
        abort(404)
    return checked.service


# -- preview --------------------------------------------------------------------------------

@bp.get("/xem-truoc/<token>")
@roles_required("admin")
def preview(token: str):
    new = _checked(token)
    catalog = resources.catalog()
    current = catalog.get(new.slug)
    found, in_flight, refused = [], 0, 0
    if current is not None:
        found = changes(current, new)
        dossiers = resources.dossiers().query(service=new.slug, statuses=resources.workflow().in_flight)
        in_flight, refused = len(dossiers), len(affected(new, dossiers))
    return render_template("authoring/preview.html", token=token, service=new, current=current, changes=found,
                           in_flight=in_flight, refused=refused, withdrawn=new.slug in catalog.withdrawn,
                           display=render_display(new.form_schema, new.sample, sample=True) if new.has_form else None)


@bp.route("/xem-truoc/<token>/bieu-mau", methods=["GET", "POST"])
@roles_required("admin")
def preview_form(token: str):
    """The new form, filled with its sample (or empty): the administrator may try it."""
    new = _checked(token, form=True)
    empty = request.args.get("trong") == "1"
    errors, tried = None, False
    if request.method == "GET":
        data = None if empty else new.sample
    else:
        data = parse_form(new.form_schema, request.form, strict=True)
        action = request.form.get(ACTION)
        if action:
            data = apply_action(new.form_schema, data, action)
        else:
            errors, tried = new.validate(data), True
    return render_template("authoring/form.html", token=token, service=new, empty=empty, tried=tried,
                           errors=errors or [], form_html=render_form(new.form_schema, data, errors or None))


@bp.get("/xem-truoc/<token>/bieu-mau.pdf")
@roles_required("admin")
def preview_blank_pdf(token: str):
    from renderers.pdf import render_blank_pdf

    return _pdf(render_blank_pdf(_checked(token, form=True)), "bieu-mau-trong.pdf")


@bp.get("/xem-truoc/<token>/ho-so-mau.pdf")
@roles_required("admin")
def preview_sample_pdf(token: str):
    from renderers.pdf import render_sample_pdf

    return _pdf(render_sample_pdf(_checked(token, form=True)), "ho-so-mau.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- publish, withdraw, restore --------------------------------------------------------------------

@bp.post("/xem-truoc/<token>/xuat-ban")
@roles_required("admin")
def publish(token: str):
    folder = uploads().folder(token)
    if folder is None:
        flash(_("Bản tải lên này không còn (đã xuất bản, đã bỏ qua hoặc quá một ngày). Hãy tải lên lại."), "error")
        return redirect(url_for("authoring.index"))
    try:
        service = publishing.publish(resources.definitions(), resources.catalog(), folder, folder.name, relative=True,
                                     schemas_root=_schemas_root())
    except DefinitionError as exc:
        return render_template("authoring/upload.html", slug=folder.name, problems=exc.problems), 422
    uploads().discard(token)
    _reload()
    flash(_("Đã xuất bản phiên bản %(version)s của dịch vụ “%(service)s”.", version=service.version,
            service=service.info.name), "success")
    return redirect(url_for("authoring.index"))


@bp.post("/<slug>/ngung-nhan-ho-so")
@roles_required("admin")
def withdraw(slug: str):
    return _set_withdrawn(slug, True)


@bp.post("/<slug>/nhan-ho-so-tro-lai")
@roles_required("admin")
def restore(slug: str):
    return _set_withdrawn(slug, False)


def _set_withdrawn(slug: str, withdrawn: bool):
    try:
        service = publishing.withdraw(resources.definitions(), resources.catalog(), slug, withdrawn)
    except publishing.UnknownService:
        abort(404)
    _reload()
    if withdrawn:
        flash(_("Dịch vụ “%(service)s” đã ngừng nhận hồ sơ mới. Các hồ sơ đã có vẫn được xử lý.",
                service=service.info.name), "success")
    else:
        flash(_("Dịch vụ “%(service)s” nhận hồ sơ trở lại.", service=service.info.name), "success")
    return redirect(url_for("authoring.index"))
