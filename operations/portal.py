"""The portal's parts, in one container: what every operation is given.

The web layer builds one :class:`Portal` per app (``web.resources.init_app``) and keeps
it in ``app.extensions["portal"]``; blueprints reach it through ``web.resources``'s
typed accessors, and operations take it as their first argument. A test builds the app
with its own parts (a clock, a workflow table) or changes them on the instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from engine.accounts import Passwords, User, UserRepository
from engine.catalog import Catalog, Service
from engine.clock import Clock, system_clock
from engine.documents import DocumentRegistry
from engine.dossier import Dossier
from engine.repository import DossierRepository
from engine.rescue import RescuedForms
from engine.wallet import Wallet
from engine.workflow import WORKFLOW, Workflow
from operations.mail import Mailer
from operations.publishing import CatalogSync
from storage.definitions import DefinitionStore
from storage.files import FileStore


class Notifier(Protocol):
    """Tells a citizen what happened to their dossier (the web layer's e-mails)."""

    def dossier_saved(self, owner: User, dossier: Dossier, service: Service) -> None:
        """Saved as a draft: the message carries the confirmation link."""

    def dossier_submitted(self, owner: User, dossier: Dossier, service: Service) -> None: ...

    def desk_action(self, owner: User, dossier: Dossier, service: Service, action: str, note: str) -> None:
        """Every step the desk takes (accept, supplement, reject, result, hand-over, new date)."""


@dataclass
class Portal:
    catalog: Catalog  # replaced whole when any process publishes or withdraws (``sync``)
    sync: CatalogSync
    dossiers: DossierRepository
    users: UserRepository
    files: FileStore
    definitions: DefinitionStore
    mailer: Mailer
    passwords: Passwords
    notifier: Notifier
    clock: Clock = system_clock
    workflow: Workflow = WORKFLOW
    close: Callable[[], None] = field(default=lambda: None)  # releases database connections, if any
    # sign(pdf, agency code, reason): the PDF with the agency's digital signature, or as it is when
    # the agency has no key (web.signing sets it from the operator's keys; docs/signing.md).
    sign: Callable[[bytes, str, str], bytes] = field(default=lambda pdf, agency, reason: pdf)
    # The registry of the PDFs issued (operations.documents), and what their signatures are checked
    # against: the certificates of the keys' chains (trust roots) and the agencies' own (fingerprints).
    documents: DocumentRegistry | None = None
    wallet: Wallet | None = None  # "Kho giấy tờ của tôi" (operations.wallet)
    rescued: RescuedForms | None = None  # posts made after their session ended (web.rescue)
    trust: tuple[tuple[object, ...], frozenset[bytes]] = ((), frozenset())

    def now(self) -> dt.datetime:
        return self.clock()

    def service_of(self, dossier: Dossier) -> Service | None:
        """The version of the service the dossier was created with (None: no longer known)."""
        return self.catalog.version(dossier.service, dossier.service_version)
