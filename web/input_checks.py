"""What no page accepts in a request: NUL characters, a value longer than any field, a body
larger than every upload slot of a dossier together.

No one types U+0000, browsers do not send it, and PostgreSQL cannot keep it in text or
JSONB (the save would fail with a server error); TinyDB would keep it and print it
as garbage. A value of more than ``engine.bounds.MAX_TEXT`` characters is no answer to
any field of any form. Either gets the "invalid request" page (400) before any view
sees it; a body over ``MAX_BODY`` bytes is refused unread (413, "Tệp quá lớn").
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from engine.bounds import MAX_BODY, MAX_TEXT


def _refused(values) -> bool:
    return any("\x00" in key or "\x00" in value or len(value) > MAX_TEXT or len(key) > MAX_TEXT
               for key, value in values.items(multi=True))


def refuse_hostile_values() -> None:
    posted = request.method in ("POST", "PUT", "PATCH")
    if (
        _refused(request.args)
        or (posted and _refused(request.form))
        or (posted and any("\x00" in (upload.filename or "") for _, upload in request.files.items(multi=True)))
    ):
        raise BadRequest()


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.before_request(refuse_hostile_values)
