"""Where the portal keeps its data: dossier store and uploaded files, under the instance folder."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from engine.catalog import Catalog
from engine.repository import DossierRepository
from storage.files import FileStore
from storage.tinydb_store import TinyDBStore


def init_app(app: Flask) -> None:
    instance = Path(app.instance_path)
    app.extensions["dossiers"] = TinyDBStore(instance / "store")
    app.extensions["files"] = FileStore(instance / "files")


def catalog() -> Catalog:
    return current_app.extensions["catalog"]


def dossiers() -> DossierRepository:
    return current_app.extensions["dossiers"]


def files() -> FileStore:
    return current_app.extensions["files"]
