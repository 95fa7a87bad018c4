""""Kho giấy tờ của tôi": the citizen's kept documents (operations.wallet).

Routes only. The list and its upload form, an item's file, deleting one (with a
confirmation page, as "Xóa hồ sơ" has), and keeping a copy of a dossier's attachment or
result. Picking an item for a dossier's document slot is a field of the dossier's
upload panel (web.dossiers reads it). Every route is the signed-in citizen's own: an
item id of another citizen answers 404, exactly like an unknown one; a clerk has no
wallet (403).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.accounts import Role
from engine.dossier import Attachment
from engine.uploads import UploadRefused
from engine.wallet import MAX_ITEM_MB, MAX_ITEMS, MAX_LABEL, MAX_TOTAL_MB, WalletFull, for_slot
from operations import wallet as operations
from operations.files import Upload
from web import resources
from web.auth import current_user, roles_required
from web.found import dossier_or_404
from web.served_files import file_response

bp = Blueprint("wallet", __name__)

FILE = "tep"
LABEL = "ten"


def full_message() -> str:
    return _("Kho giấy tờ đã đầy (tối đa %(items)s giấy tờ, tổng cộng %(mb)s MB): hãy xóa bớt giấy tờ không dùng "
             "nữa rồi thử lại.", items=MAX_ITEMS, mb=MAX_TOTAL_MB)


def _page(error: str = "", label: str = "", status: int = 200):
    kept = operations.items(resources.portal(), current_user())
    used = sum(i.size for i in kept)
    return render_template("wallet/index.html", items=kept, error=error, label=label, max_items=MAX_ITEMS,
                           max_mb=MAX_ITEM_MB, max_label=MAX_LABEL, used_mb=used / (1024 * 1024),
                           total_mb=MAX_TOTAL_MB), status


@bp.route("/kho-giay-to", methods=["GET", "POST"])
@roles_required(Role.CITIZEN)
def index():
    if request.method != "POST":
        return _page()
    label = request.form.get(LABEL, "")[:MAX_LABEL * 4]
    posted = request.files.get(FILE)
    if posted is None or not posted.filename:
        return _page(_("Xin vui lòng chọn tệp cần lưu."), label, 400)
    upload = Upload(posted.filename, posted.read(MAX_ITEM_MB * 1024 * 1024 + 1))
    try:
        item = operations.keep_upload(resources.portal(), current_user(), upload, label)
    except UploadRefused as exc:
        return _page(exc.message, label, 422)
    except WalletFull:
        return _page(full_message(), label, 422)
    flash(_("Đã lưu “%(label)s” vào Kho giấy tờ của tôi.", label=item.label), "success")
    return redirect(url_for("wallet.index"))


@bp.get("/kho-giay-to/<item_id>/tep")
@roles_required(Role.CITIZEN)
def file(item_id: str):
    try:
        item = operations.get(resources.portal(), current_user(), item_id)
    except operations.NotInWallet:
        abort(404)
    return file_response(item.file_id, item.filename, item.media_type)


@bp.route("/kho-giay-to/<item_id>/xoa", methods=["GET", "POST"])
@roles_required(Role.CITIZEN)
def delete(item_id: str):
    try:
        item = operations.get(resources.portal(), current_user(), item_id)
    except operations.NotInWallet:
        abort(404)
    if request.method != "POST":
        return render_template("wallet/confirm_delete.html", item=item)
    try:
        operations.delete(resources.portal(), current_user(), item_id)
    except operations.NotInWallet:  # deleted meanwhile, in another tab
        pass
    flash(_("Đã xóa “%(label)s” khỏi Kho giấy tờ của tôi.", label=item.label), "success")
    return redirect(url_for("wallet.index"))


@bp.post("/ho-so/<dossier_id>/tep/<doc_id>/luu-vao-kho")
@roles_required(Role.CITIZEN)
def keep_attachment(dossier_id: str, doc_id: str):
    dossier, service = dossier_or_404(dossier_id, own=True)
    document = next((d for d in service.documents if d.id == doc_id), None)
    if document is None:
        abort(404)
    return _keep(dossier.id, dossier.attachments.get(doc_id), document.name, document.name)


@bp.post("/ho-so/<dossier_id>/ket-qua/luu-vao-kho")
@roles_required(Role.CITIZEN)
def keep_result(dossier_id: str):
    dossier, service = dossier_or_404(dossier_id, own=True)
    return _keep(dossier.id, dossier.result_file, _("Kết quả: %(service)s", service=service.info.name), "")


def _keep(dossier_id: str, attached: Attachment | None, label: str, document_name: str):
    if attached is None:
        abort(404)
    try:
        item = operations.keep_file(resources.portal(), current_user(), attached, label, document_name)
    except WalletFull:
        flash(full_message(), "error")
    except KeyError:  # the file is gone from the store
        abort(404)
    else:
        flash(_("Đã lưu bản sao “%(label)s” vào Kho giấy tờ của tôi.", label=item.label), "success")
    back = request.form.get("next", "")
    return redirect(back if back == url_for("dossiers.update", dossier_id=dossier_id)
                    else url_for("dossiers.view", dossier_id=dossier_id))


# -- the wallet in a dossier's upload panel (web/templates/dossiers/_files_panel.html) ----------

PICK = "~wallet/"  # + document id: the item chosen for the slot instead of a file
KEEP = "~keep/"  # + document id: also keep the file posted for the slot in the wallet


@bp.app_context_processor
def _picker():
    """``wallet_for(document)``: the signed-in citizen's items that could fill a document slot
    (engine.wallet.for_slot), for the upload panel; read once per page."""

    def wallet_for(document) -> list:
        user = current_user()
        if user is None or user.role != Role.CITIZEN or document.upload is None:
            return []
        if "wallet_items" not in g:
            g.wallet_items = operations.items(resources.portal(), user)
        return for_slot(g.wallet_items, document.upload.accept, document.upload.max_size_mb, document.name)

    return {"wallet_for": wallet_for}


def picked(document) -> Upload | None:
    """The wallet item the citizen chose for ``document``'s slot, as its upload; None when none
    was chosen, or (told in a message) when it is no longer in their wallet."""
    item_id = request.form.get(PICK + document.id, "")
    if not item_id:
        return None
    try:
        return operations.as_upload(resources.portal(), current_user(), item_id)
    except operations.NotInWallet:
        flash(_("Giấy tờ chọn từ Kho giấy tờ cho “%(document)s” không còn trong kho: hãy chọn lại hoặc tải tệp lên.",
                document=document.name), "error")
        return None


def keep_posted(document, upload: Upload) -> None:
    """"Lưu vào Kho giấy tờ" ticked beside a file posted for ``document``: keep a copy too.
    A file the slot will refuse is not kept (the slot's message says why); a full wallet is told."""
    if not request.form.get(KEEP + document.id):
        return
    try:
        operations.keep_upload(resources.portal(), current_user(), upload, document.name, document.name)
    except UploadRefused:
        return
    except WalletFull:
        flash(full_message(), "error")
