"""The one-stop desk's slips (``renderers.slips``) of one dossier, for whoever may have them.

A clerk of the dossier's agency and an administrator get every slip the dossier has; its
citizen, those addressed to the applicant; anyone else, and a slip the dossier has no log
entry for, NotFound (the same answer as a dossier that does not exist). The PDF comes back
as bytes, for the web layer to serve (and sign, where PDFs are signed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.catalog import Service
from engine.dossier import Actor, Dossier, Role
from engine.workflow import NotFound
from operations.documents import issue
from operations.dossiers import load
from operations.portal import Portal
from renderers.slips import APPLICANT, SLIPS, Slip, available, filename, render_slip_pdf, source_entry

if TYPE_CHECKING:
    from renderers.pdf import Verification


def _addressed_to(slip: Slip, actor: Actor) -> bool:
    return actor.role != Role.CITIZEN or slip.addressee == APPLICANT


def slips_for(dossier: Dossier, actor: Actor) -> list[Slip]:
    """The slips of ``dossier`` ``actor`` may download (the dossier's page lists them)."""
    return [s for s in available(dossier) if _addressed_to(s, actor)]


def load_slip(portal: Portal, dossier_id: str, actor: Actor, kind: str) -> tuple[Slip, Dossier, Service]:
    """The slip ``kind`` of the dossier, if ``actor`` may see the dossier and have the slip."""
    slip = SLIPS.get(kind)
    if slip is None:
        raise NotFound("Không tìm thấy phiếu")
    dossier, service = load(portal, dossier_id, actor)
    if not _addressed_to(slip, actor) or source_entry(slip, dossier) is None:
        raise NotFound("Không tìm thấy phiếu")
    return slip, dossier, service


def slip_pdf(portal: Portal, dossier_id: str, actor: Actor, kind: str,
             lookup_url: Callable[[str], str] | None = None, place: str = "",
             verification: Callable[[str], Verification] | None = None) -> tuple[bytes, str]:
    """The PDF of the slip (signed by the agency) and its file name; ``lookup_url`` makes a receipt number's status
    page address (its QR code), ``place`` the place name before the date, ``verification`` what the slip prints
    to be checked (renderers.pdf.Verification) for its reserved code."""
    slip, dossier, service = load_slip(portal, dossier_id, actor, kind)
    url = lookup_url(dossier.receipt_number) if lookup_url and dossier.receipt_number else None
    # Printed with its reserved code, signed with the agency's key when it has one (web.signing; unchanged
    # otherwise), and recorded under the code.
    def render(code: str) -> bytes:
        return render_slip_pdf(service, slip.kind, dossier, url, place, verification(code) if verification else None)

    pdf = issue(portal, render, kind=slip.kind, title=slip.title,
                dossier_id=dossier.id, agency=dossier.agency, agency_name=service.info.agency.name)
    return pdf, filename(slip, dossier)
