"""What a request names, loaded for a view, or the 404 page: the same answer for a dossier
that does not exist and one the signed-in person may not see."""

from __future__ import annotations

from flask import abort

from engine.catalog import Service
from engine.dossier import Dossier
from engine.workflow import NotFound
from operations import dossiers as operations
from web import resources
from web.auth import actor


def dossier_or_404(dossier_id: str, own: bool = False) -> tuple[Dossier, Service]:
    """The dossier if the signed-in person may see it (``own``: if it is theirs), and the
    version of the service it was created with."""
    try:
        load = operations.load_own if own else operations.load
        return load(resources.portal(), dossier_id, actor())
    except NotFound:
        abort(404)


def service_or_404(slug: str, form: bool = True) -> Service:
    """The newest version of the service; 404 also, unless ``form`` is False, for a service
    that only informs: it has no form to fill, no sample and takes no dossier."""
    service = resources.catalog().get(slug)
    if service is None or (form and not service.has_form):
        abort(404)
    return service


def version_or_404(dossier: Dossier) -> Service:
    """The version of the service ``dossier`` was created with."""
    service = resources.portal().service_of(dossier)
    if service is None:
        abort(404)
    return service
