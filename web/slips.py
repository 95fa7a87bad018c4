"""Serving the one-stop desk's slips (Phụ lục I, Thông tư 03/2025/TT-VPCP) as PDFs: the one
place both the desk (web.desk) and the citizen's dossier page (web.dossiers) answer with a
slip. Who may have which slip is ``operations.slips``'s; the PDF is ``renderers.slips``'s."""

from __future__ import annotations

from flask import Response, abort, current_app

from engine.workflow import NotFound
from operations import slips
from web import resources
from web.auth import actor
from web.lookup import status_url
from web.verify import verification


def slip_place() -> str:
    """The place name before a slip's date: the city's, without "Thành phố" ("Vị Thanh")."""
    return current_app.config.get("CITY_NAME", "").removeprefix("Thành phố ").removeprefix("Tỉnh ")


def slip_response(dossier_id: str, kind: str) -> Response:
    """Slip ``kind`` of the dossier for the signed-in person, or 404."""
    try:
        content, name = slips.slip_pdf(resources.portal(), dossier_id, actor(), kind, status_url, slip_place(),
                                       verification)
    except NotFound:
        abort(404)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response


def slips_for(dossier) -> list[slips.Slip]:
    """The slips of ``dossier`` the signed-in person may download (a page's links)."""
    return slips.slips_for(dossier, actor())
