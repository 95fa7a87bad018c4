"""The anchor of bench/web.py: a plain Flask app answering each path with a fixed HTML string.

``BENCH_ANCHOR_PAGES`` names a JSON file mapping a path to the byte size of the portal's
page it stands beside; GET and POST both get that many bytes of static HTML. Run by
gunicorn exactly like the portal (``gunicorn --pythonpath bench 'web_anchor:create_app()'``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response

_HEAD, _TAIL = "<!doctype html><html><body><p>", "</p></body></html>"


def page_of_size(size: int) -> bytes:
    """Valid HTML of exactly ``size`` bytes (at least the markup's own length)."""
    filler = max(0, size - len(_HEAD) - len(_TAIL))
    return (_HEAD + "x" * filler + _TAIL).encode()


def create_app() -> Flask:
    sizes: dict[str, int] = json.loads(Path(os.environ["BENCH_ANCHOR_PAGES"]).read_text())
    bodies = {path: page_of_size(size) for path, size in sizes.items()}
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def page(path: str) -> Response:
        return Response(bodies.get("/" + path, b""), mimetype="text/html")

    return app
