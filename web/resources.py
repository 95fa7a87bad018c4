"""The portal's parts for the web layer: built once per app, reached by typed accessors.

``init_app`` builds one ``operations.portal.Portal`` and keeps it in
``app.extensions["portal"]``: the catalogue (built-in definitions, published versions,
withdrawals), the stores chosen by ``DATABASE_URL`` (``DVC_DATABASE_URL``: dossiers,
accounts, uploaded files, published definitions, the mail outbox, the signing key, the
registry of issued documents, the citizens' "Kho giấy tờ" and the form posts kept
after their session ended),
the password hasher, the e-mail notifier, the clock and the workflow table. Blueprints
use the accessors below, never ``app.extensions`` itself.

The stores' backend is looked up by the URL's scheme in ``BACKENDS``: none (the setting
unset) is the embedded default, TinyDB and files under the instance folder;
``postgresql://`` is PostgreSQL, where every durable thing lives, so that nodes share
nothing else (the instance folder then holds only caches: the published definitions'
files, the development outbox).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from engine.accounts import Passwords, UserRepository
from engine.catalog import Catalog
from engine.clock import system_clock
from engine.documents import DocumentRegistry
from engine.rescue import RescuedForms
from engine.wallet import Wallet
from engine.repository import DossierRepository
from engine.outbox import Outbox
from engine.workflow import WORKFLOW, Workflow
from operations.mail import Mailer, MailSettings
from operations.portal import Portal
from operations.publishing import CatalogSync
from storage.definitions import DefinitionStore
from storage.files import FileStore

if TYPE_CHECKING:
    from storage.postgres_definitions import PostgresDefinitionStore
    from storage.postgres_files import PostgresFileStore


@dataclass(frozen=True)
class Stores:
    dossiers: DossierRepository
    users: UserRepository
    files: FileStore | PostgresFileStore
    definitions: DefinitionStore | PostgresDefinitionStore
    outbox: Outbox
    secret_key: Callable[[], str]  # the signing key when DVC_SECRET_KEY is unset
    documents: DocumentRegistry  # the PDFs issued (operations.documents)
    wallet: Wallet  # "Kho giấy tờ của tôi" (operations.wallet)
    rescued: RescuedForms  # the posts made after their session ended, given back once (web.rescue)
    close: Callable[[], None] = field(default=lambda: None)  # releases connections, if any


def _tinydb(url: str, instance: Path) -> Stores:
    from storage.documents import TinyDBDocumentRegistry
    from storage.mail_queue import FolderOutbox
    from storage.secret import folder_key
    from storage.tinydb_store import TinyDBStore
    from storage.tinydb_users import TinyDBUserStore
    from storage.rescue import FolderRescuedForms
    from storage.wallet import TinyDBWallet

    return Stores(TinyDBStore(instance / "store"), TinyDBUserStore(instance / "users"), FileStore(instance / "files"),
                  DefinitionStore(instance / "definitions"), FolderOutbox(instance / "mail"),
                  lambda: folder_key(instance / "secret_key"), TinyDBDocumentRegistry(instance / "documents"),
                  TinyDBWallet(instance / "wallet"), FolderRescuedForms(instance / "rescued-forms"))


def _postgres(url: str, instance: Path) -> Stores:
    from storage.postgres import Database
    from storage.postgres_definitions import PostgresDefinitionStore
    from storage.postgres_documents import PostgresDocumentRegistry
    from storage.postgres_files import PostgresFileStore
    from storage.postgres_mail import PostgresOutbox
    from storage.postgres_secret import database_key
    from storage.postgres_rescue import PostgresRescuedForms
    from storage.postgres_store import PostgresStore
    from storage.postgres_users import PostgresUserStore
    from storage.postgres_wallet import PostgresWallet

    db = Database(url)  # the URL's ?schema= names the schema (default public)
    return Stores(PostgresStore(db), PostgresUserStore(db), PostgresFileStore(db),
                  PostgresDefinitionStore(db, instance / "cache" / "definitions"), PostgresOutbox(db),
                  lambda: database_key(db), PostgresDocumentRegistry(db), PostgresWallet(db),
                  PostgresRescuedForms(db), db.close)


# The scheme of DATABASE_URL -> the backend that opens both stores ("": the setting is unset).
BACKENDS: dict[str, Callable[[str, Path], Stores]] = {
    "": _tinydb,
    "postgresql": _postgres,
    "postgres": _postgres,
}


def open_stores(url: str | None, instance: Path) -> Stores:
    """The stores that ``url`` (DVC_DATABASE_URL) names; None or "": TinyDB under ``instance``.
    Also for commands that work without the app (``dichvucong storage copy``)."""
    url = url or ""
    scheme = url.partition("://")[0] if "://" in url else None if url else ""
    if scheme not in BACKENDS:  # the URL itself is not repeated: it may hold a password
        known = ", ".join(f"{name}://" for name in BACKENDS if name)
        problem = f"no storage backend for {scheme}://" if scheme else "not a URL"
        raise ValueError(f"DVC_DATABASE_URL: {problem}; known: {known} (unset: TinyDB in the instance folder)")
    return BACKENDS[scheme](url, instance)


def init_app(app: Flask, builtin: Catalog) -> Portal:
    """Build the app's parts. ``builtin`` is the catalogue of ``schemas/``; a published
    version that no longer loads stops start-up, naming its file."""
    from web.notifications import MailNotifier

    instance = Path(app.instance_path)
    stores = open_stores(app.config.get("DATABASE_URL"), instance)
    if not app.config.get("SECRET_KEY"):  # every process, and every node, signs with the same key
        app.config["SECRET_KEY"] = stores.secret_key()
    stores.definitions.sweep()
    sync = CatalogSync(builtin, stores.definitions)
    portal = Portal(
        catalog=sync.load(), sync=sync, dossiers=stores.dossiers, users=stores.users,
        files=stores.files, definitions=stores.definitions,
        mailer=Mailer(stores.outbox, MailSettings.from_config(app.config), console=instance / "outbox"),
        passwords=Passwords(app.config["PASSWORD_PROFILE"]), notifier=MailNotifier(),
        clock=app.config.get("CLOCK") or system_clock, workflow=app.config.get("WORKFLOW") or WORKFLOW,
        close=stores.close, documents=stores.documents, wallet=stores.wallet,
        rescued=stores.rescued,
    )
    app.extensions["portal"] = portal
    return portal


def portal(app: Flask | None = None) -> Portal:
    """The parts of ``app`` (default: the current one)."""
    return (app or current_app).extensions["portal"]


def catalog() -> Catalog:
    return portal().catalog


def dossiers() -> DossierRepository:
    return portal().dossiers


def users() -> UserRepository:
    return portal().users


def files() -> FileStore:
    return portal().files


def passwords() -> Passwords:
    return portal().passwords


def mailer() -> Mailer:
    return portal().mailer


def definitions() -> DefinitionStore:
    return portal().definitions


def workflow() -> Workflow:
    return portal().workflow
