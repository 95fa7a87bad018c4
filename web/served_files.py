"""A stored file (an attachment, a result, an item of "Kho giấy tờ") served to its owner."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort

from web import resources


def file_response(file_id: str, filename: str, media_type: str) -> Response:
    """The file shown inline, never interpreted as a page of the portal, never kept by a
    shared cache; 404 when the store no longer has it."""
    try:
        content = resources.files().stream(file_id)  # piece by piece: a large scan is never held whole
    except KeyError:
        abort(404)
    response = Response(content, mimetype=media_type, direct_passthrough=True)
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename, safe='')}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
