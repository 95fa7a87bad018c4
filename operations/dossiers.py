"""The citizen's use cases: create, update (with attachments), confirm, submit, delete.

Each function loads what it needs, asks ``engine.lifecycle`` (which asks the workflow
table who may do what), saves with the repository's version check and tells the
citizen through the portal's notifier. Refusals are the lifecycle's exceptions
(NotFound, Forbidden, InvalidTransition, Incomplete) and the store's ConflictError;
the web layer chooses the page for each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine import lifecycle
from engine.accounts import User, to_actor
from engine.catalog import Service
from engine.dossier import Actor, Dossier
from engine.repository import ConflictError
from engine.uploads import UploadRefused
from engine.validation import FieldError
from engine.workflow import InvalidTransition, NotFound
from operations.files import Upload, keep
from operations.portal import Portal


def load(portal: Portal, dossier_id: str, actor: Actor) -> tuple[Dossier, Service]:
    """The dossier if ``actor`` may see it, with the version of the service it was made
    with; NotFound otherwise (another citizen's dossier looks exactly like none)."""
    dossier = portal.workflow.ensure_visible(portal.dossiers.get(dossier_id), actor)
    service = portal.service_of(dossier)
    if service is None:
        raise NotFound()
    return dossier, service


def load_own(portal: Portal, dossier_id: str, actor: Actor) -> tuple[Dossier, Service]:
    """As :func:`load`, for the pages only the dossier's citizen has (a clerk gets 404)."""
    dossier, service = load(portal, dossier_id, actor)
    if dossier.owner != actor.id:
        raise NotFound()
    return dossier, service


def accepting(portal: Portal, service: Service) -> bool:
    """Whether the service takes new dossiers online (not withdrawn, and has a form)."""
    return service.online and portal.catalog.offered(service.slug)


def create(portal: Portal, service: Service, user: User, data: dict, checklist: Iterable[str]) -> Dossier:
    """A new draft; the citizen is sent the link that confirms it."""
    if not accepting(portal, service):
        raise InvalidTransition("Dịch vụ này không nhận hồ sơ trực tuyến.")
    dossier = lifecycle.create(service, to_actor(user), data, checklist, portal.now(),
                               applicant_id_number=user.id_number)
    dossier = portal.dossiers.add(dossier)
    portal.notifier.dossier_saved(user, dossier, service)
    return dossier


def save_draft(portal: Portal, service: Service, user: User, data: dict, checklist: Iterable[str],
               dossier: Dossier | None = None, uploads: Mapping[str, Upload] | None = None,
               removals: Iterable[str] = (), step: int | None = None) -> Updated:
    """"Lưu nháp": a new dossier, or ``dossier`` changed, kept without the form's checks
    (engine.lifecycle.save_draft; ``step``: of a form in steps, where to resume). No confirmation mail yet: it goes at the "Lưu lại" that
    completes the dossier (:func:`update`), so a link never confirms a half-filled form."""
    actor = to_actor(user)
    if dossier is None:
        if not accepting(portal, service):
            raise InvalidTransition("Dịch vụ này không nhận hồ sơ trực tuyến.")
        saved = lifecycle.save_draft(service, actor, data, checklist, portal.now(), applicant_id_number=user.id_number,
                                     step=step)
        return Updated(portal.dossiers.add(saved))
    dossier, upload_errors = _apply_files(portal, dossier, service, actor, uploads or {}, set(removals))
    saved = lifecycle.save_draft(service, actor, data, checklist, portal.now(), dossier=dossier, step=step)
    return Updated(portal.dossiers.update(saved), [], upload_errors)


@dataclass
class Updated:
    """What an update kept: the dossier as stored now (its accepted files stored even when
    the form has errors, so no upload is lost), and what was refused."""

    dossier: Dossier
    form_errors: list[FieldError] = field(default_factory=list)
    upload_errors: dict[str, str] = field(default_factory=dict)  # document id -> why the file was refused
    unticked: list[str] = field(default_factory=list)  # mandatory documents left unticked: not saved either


def update(portal: Portal, dossier: Dossier, service: Service, user: User, data: dict, checklist: Iterable[str],
           uploads: Mapping[str, Upload], removals: Iterable[str]) -> Updated:
    """Attach the posted files, remove the ticked ones, then save the form. Each file change
    is stored at once; a form with errors is not saved (``form_errors``), nor one that
    leaves a mandatory document unticked (``unticked``)."""
    actor = to_actor(user)
    dossier, upload_errors = _apply_files(portal, dossier, service, actor, uploads, set(removals))
    try:
        edited = lifecycle.edit(dossier, service, actor, data, checklist, portal.now())
    except lifecycle.Incomplete as exc:
        return Updated(dossier, exc.errors, upload_errors, exc.unticked)
    stored = portal.dossiers.update(edited)
    if dossier.incomplete and stored.status in portal.workflow["confirm"].sources:
        # Begun with "Lưu nháp", complete now: the confirmation link it never had.
        portal.notifier.dossier_saved(user, stored, service)
    return Updated(stored, [], upload_errors)


def _apply_files(portal: Portal, dossier: Dossier, service: Service, actor: Actor, uploads: Mapping[str, Upload],
                 removals: set[str]) -> tuple[Dossier, dict[str, str]]:
    errors: dict[str, str] = {}
    for document in service.documents:
        if document.upload is None:
            continue
        upload = uploads.get(document.id)
        if upload is not None:
            portal.workflow.check(dossier, actor, "attach", portal.now())  # refused before anything is kept
            try:
                attachment = keep(portal, upload, document.upload.accept, document.upload.max_size_mb)
            except UploadRefused as exc:
                errors[document.id] = exc.message
                continue
            replaced = dossier.attachments.get(document.id)
            try:
                dossier = portal.dossiers.update(
                    lifecycle.attach(dossier, service, actor, document.id, attachment, portal.now()))
            except Exception:
                portal.files.delete(attachment.file_id)
                raise
            if replaced:
                portal.files.delete(replaced.file_id)
        elif document.id in removals and document.id in dossier.attachments:
            removed = dossier.attachments[document.id]
            dossier = portal.dossiers.update(lifecycle.detach(dossier, service, actor, document.id, portal.now()))
            portal.files.delete(removed.file_id)
    return dossier, errors


def confirm(portal: Portal, dossier_id: str, owner_id: str) -> tuple[Dossier, Service | None]:
    """The citizen followed the e-mailed link (its signature checked by the caller).
    Following it again changes nothing. NotFound when the dossier or its owner is gone."""
    dossier = portal.dossiers.get(dossier_id)
    owner = portal.users.get(owner_id)
    if dossier is None or owner is None or dossier.owner != owner.id:
        raise NotFound()
    confirmed = lifecycle.confirm(dossier, to_actor(owner), portal.now())
    if confirmed is not dossier:
        confirmed = portal.dossiers.update(confirmed)
    return confirmed, portal.service_of(confirmed)


def submit(portal: Portal, dossier: Dossier, service: Service, user: User) -> tuple[Dossier, bool]:
    """Send to the one-stop desk. Returns the dossier and whether this call sent it: a
    second click, or a request racing the first, finds it already with the desk
    (False), and the citizen is told once."""
    if dossier.status in portal.workflow.waiting_for_desk:
        return dossier, False
    submitted = lifecycle.submit(dossier, service, to_actor(user), portal.now())
    try:
        submitted = portal.dossiers.update(submitted)
    except ConflictError:
        current = portal.dossiers.get(dossier.id)
        if current is not None and current.status in portal.workflow.waiting_for_desk:
            return current, False
        raise
    portal.notifier.dossier_submitted(user, submitted, service)
    return submitted, True


def check_delete(dossier: Dossier, user: User) -> None:
    """Refuses (InvalidTransition) a dossier that can no longer be deleted."""
    lifecycle.delete(dossier, to_actor(user))


def delete(portal: Portal, dossier: Dossier, user: User) -> None:
    """Delete a dossier not yet sent, with its files (ConflictError if it changed meanwhile)."""
    check_delete(dossier, user)
    portal.dossiers.delete(dossier.id, dossier.version)
    for attached in dossier.attachments.values():
        portal.files.delete(attached.file_id)


def rate(portal: Portal, dossier_id: str, user: User, score: int | None, comment: str) -> Dossier:
    """Đánh giá mức độ hài lòng: the citizen's rating of a dossier with its result, once
    (the lifecycle refuses a second one, another citizen's dossier and one without a result)."""
    dossier = load_own(portal, dossier_id, to_actor(user))[0]
    rated = lifecycle.rate(dossier, to_actor(user), score, comment, portal.now(), portal.workflow)
    return portal.dossiers.update(rated)
