"""What no page accepts in a request: NUL characters.

No one types U+0000, browsers do not send it, and PostgreSQL cannot keep it in text or
JSONB (the save would fail with a server error); TinyDB would keep it and print it
as garbage. So a request carrying one in a form value, a query parameter or an upload's
file name gets the "invalid request" page before any view sees it.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul() -> None:
    posted = request.method in ("POST", "PUT", "PATCH")
    if (
        _has_nul(request.args)
        or (posted and _has_nul(request.form))
        or (posted and any("\x00" in (upload.filename or "") for _, upload in request.files.items(multi=True)))
    ):
        raise BadRequest()


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
