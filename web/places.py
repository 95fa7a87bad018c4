"""Administrative units for the address picker: one JSON document, cached by browsers."""

from __future__ import annotations

import json
from functools import lru_cache

from flask import Blueprint, Response

from engine import places

bp = Blueprint("places", __name__)


@lru_cache(maxsize=1)
def _wards_json() -> bytes:
    return json.dumps({p: list(places.wards(p)) for p in places.provinces()}, ensure_ascii=False).encode()


@bp.get("/dia-gioi/xa-phuong.json")
def wards():
    response = Response(_wards_json(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # the units change by law, not by the hour
    return response
