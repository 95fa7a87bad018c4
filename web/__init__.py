"""The Flask application: a thin layer over the engine.

``create_app`` reads configuration from the environment (see README), loads the
service catalogue once (a broken definition stops start-up with the file and pointer
at fault) and registers one blueprint per area.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template

from engine.catalog import DEFAULT_ROOT, Catalog
from web import places, services


def _env_config() -> dict[str, Any]:
    """Settings from DVC_* environment variables; anything unset keeps its default."""
    config: dict[str, Any] = {}
    if "DVC_CITY_NAME" in os.environ:
        config["CITY_NAME"] = os.environ["DVC_CITY_NAME"]
    if "DVC_SCHEMAS" in os.environ:
        config["SCHEMAS_ROOT"] = Path(os.environ["DVC_SCHEMAS"])
    return config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("DVC_INSTANCE")
    app = Flask(__name__, instance_path=str(Path(instance).resolve()) if instance else None)
    app.config.from_mapping(
        CITY_NAME="Thành phố Vị Thanh",
        SCHEMAS_ROOT=DEFAULT_ROOT,
    )
    app.config.update(_env_config())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.extensions["catalog"] = Catalog.load(Path(app.config["SCHEMAS_ROOT"]))

    @app.context_processor
    def layout() -> dict[str, Any]:
        return {"city_name": app.config["CITY_NAME"], "catalog": app.extensions["catalog"]}

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", title="Không tìm thấy trang", message="Trang bạn tìm không tồn tại hoặc đã được chuyển đi."), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("error.html", title="Đã có lỗi xảy ra", message="Hệ thống gặp sự cố khi xử lý yêu cầu. Xin vui lòng thử lại sau."), 500

    app.register_blueprint(services.bp)
    app.register_blueprint(places.bp)
    return app
