"""Where the portal keeps its data: the dossier and user stores, chosen by ``DATABASE_URL``
(``DVC_DATABASE_URL``), and the uploaded files, under the instance folder.

The stores' backend is looked up by the URL's scheme in ``BACKENDS``: none (the setting
unset) is TinyDB under the instance folder, the embedded default; ``postgresql://`` is
PostgreSQL. Uploaded files, published service versions and the mail queue stay in the
instance folder whatever the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from engine.accounts import UserRepository
from engine.catalog import Catalog
from engine.repository import DossierRepository
from storage.files import FileStore


@dataclass(frozen=True)
class Stores:
    dossiers: DossierRepository
    users: UserRepository
    close: Callable[[], None] = field(default=lambda: None)  # releases connections, if any


def _tinydb(url: str, instance: Path) -> Stores:
    from storage.tinydb_store import TinyDBStore
    from storage.tinydb_users import TinyDBUserStore

    return Stores(TinyDBStore(instance / "store"), TinyDBUserStore(instance / "users"))


def _postgres(url: str, instance: Path) -> Stores:
    from storage.postgres import Database
    from storage.postgres_store import PostgresStore
    from storage.postgres_users import PostgresUserStore

    db = Database(url)  # the URL's ?schema= names the schema (default public)
    return Stores(PostgresStore(db), PostgresUserStore(db), db.close)


# The scheme of DATABASE_URL -> the backend that opens both stores ("": the setting is unset).
BACKENDS: dict[str, Callable[[str, Path], Stores]] = {
    "": _tinydb,
    "postgresql": _postgres,
    "postgres": _postgres,
}


def stores(app: Flask) -> Stores:
    """The app's stores, opened on first use (web.auth wants the users before init_app runs)."""
    if "stores" not in app.extensions:
        app.extensions["stores"] = open_stores(app.config.get("DATABASE_URL"), Path(app.instance_path))
    return app.extensions["stores"]


def open_stores(url: str | None, instance: Path) -> Stores:
    """The stores that ``url`` (DVC_DATABASE_URL) names; None or "": TinyDB under ``instance``.
    Also for commands that work without the app (``dichvucong print``)."""
    url = url or ""
    scheme = url.partition("://")[0] if "://" in url else None if url else ""
    if scheme not in BACKENDS:  # the URL itself is not repeated: it may hold a password
        known = ", ".join(f"{name}://" for name in BACKENDS if name)
        problem = f"no storage backend for {scheme}://" if scheme else "not a URL"
        raise ValueError(f"DVC_DATABASE_URL: {problem}; known: {known} (unset: TinyDB in the instance folder)")
    return BACKENDS[scheme](url, instance)


def init_app(app: Flask) -> None:
    instance = Path(app.instance_path)
    app.extensions["dossiers"] = stores(app).dossiers
    app.extensions["files"] = FileStore(instance / "files")


def catalog() -> Catalog:
    return current_app.extensions["catalog"]


def dossiers() -> DossierRepository:
    return current_app.extensions["dossiers"]


def files() -> FileStore:
    return current_app.extensions["files"]
