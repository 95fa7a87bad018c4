"""The portal's icon: a gold star on a red disc ringed in gold, drawn for the portal (no
official emblem). ``/favicon.svg`` for the browsers that take SVG (linked first from
web/templates/base.html) and ``/favicon.ico`` (16, 32 and 48 px, drawn once from the same
shapes with Pillow), which every browser asks for at the site's root whatever a page links.
Both change only with a release: kept a year by browsers and proxies; the policy of
web/security_headers.py (``img-src 'self'``) allows them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, send_from_directory

IMAGES = Path(__file__).parent / "static" / "img"
ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    def send(name: str, mimetype: str) -> Response:
        response = send_from_directory(IMAGES, name, mimetype=mimetype, max_age=ONE_YEAR)
        response.cache_control.public = True
        return response

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return send("favicon.ico", "image/vnd.microsoft.icon")

    @app.get("/favicon.svg")
    def favicon_svg() -> Response:
        return send("favicon.svg", "image/svg+xml")
