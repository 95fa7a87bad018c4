"""Issuing PDFs and answering whether one is genuine ("Kiểm tra văn bản").

Every PDF the portal gives someone (a receipt, a desk slip, a printed dossier, a result)
goes out through :func:`issue`: signed with the agency's key when it has one
(``Portal.sign``), and recorded in the registry of issued documents (engine.documents)
by the SHA-256 of the exact bytes served: one insert. A rendered document also gets a
verification code (engine.documents.new_code), printed with its QR code: since the code is
on the page and the hash is of the signed page, the order is reserve the code, render with
it, sign, then record the hash under the code. :func:`verify` answers for a PDF anyone
uploads, from its hash and its signatures; :func:`by_code` for the QR code's address
(``/kiem-tra-van-ban/ma/<code>``), :func:`by_hash` for an address holding the hash. Neither tells anything of the dossier beyond what the record holds (what
the document is, the agency, when, revoked or not): no name, ID number or content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from engine.documents import DocumentNotFound, IssuedDocument, is_sha256, normalize_code
from operations.portal import Portal

# The verdicts of the verification page
GENUINE = "genuine"  # issued by the portal as it is, not revoked
REVOKED = "revoked"  # issued as it is, then revoked
TAMPERED = "tampered"  # not as issued: a signature broken, or bytes added after it
SIGNED_UNRECORDED = "signed-unrecorded"  # the agency's intact signature, but no record (issued before the registry)
UNKNOWN = "unknown"  # not a document the portal issued


@dataclass(frozen=True)
class Verdict:
    outcome: str
    sha256: str
    document: IssuedDocument | None = None  # the record, when the hash is known
    signature: str = ""  # renderers.signing's outcome: valid, broken, other-signer, unsigned ("": not checked)
    signer: str = ""  # the signing certificate's subject (valid signatures only)


def issue(portal: Portal, render: Callable[[str], bytes] | bytes, *, kind: str, title: str, dossier_id: str,
          agency: str, agency_name: str = "", sign: bool = True) -> bytes:
    """The PDF as it is served, recorded: ``render(code)`` makes it with its verification code
    (reserved first; bytes: a PDF that prints none), then it is signed by ``agency`` when it
    has a key and ``sign``, and its hash recorded under the code."""
    code = portal.documents.reserve_code() if callable(render) else ""
    pdf = render(code) if callable(render) else render
    served = portal.sign(pdf, agency, title) if sign else pdf
    record(portal, hashlib.sha256(served).hexdigest(), kind=kind, title=title, dossier_id=dossier_id,
           agency=agency, agency_name=agency_name, signed=served != pdf, code=code)
    return served


def record(portal: Portal, sha256: str, *, kind: str, title: str, dossier_id: str, agency: str,
           agency_name: str = "", signed: bool, code: str = "") -> IssuedDocument:
    """Record the bytes with hash ``sha256``, served or kept (a result file, signed when it was kept),
    under ``code`` (one :meth:`reserve_code` gave) when it prints one."""
    document = IssuedDocument(
        sha256=sha256, kind=kind, title=title, dossier_id=dossier_id, agency=agency,
        agency_name=agency_name or _agency_name(portal, agency), issued_at=portal.now(),
        signed=signed, code=code)
    portal.documents.add(document)
    return document


def _agency_name(portal: Portal, agency: str) -> str:
    for service in portal.catalog:
        if service.info.agency.code == agency:
            return service.info.agency.name
    return agency


def verify(portal: Portal, pdf: bytes) -> Verdict:
    """Whether ``pdf`` is a document the portal issued, unchanged, and not revoked."""
    from renderers.signing import BROKEN, VALID, check_signatures

    sha256 = hashlib.sha256(pdf).hexdigest()
    document = portal.documents.get(sha256)
    check = check_signatures(pdf, *portal.trust)
    signer = check.signer if check.outcome == VALID else ""
    if document is not None:
        return Verdict(REVOKED if document.revoked else GENUINE, sha256, document, check.outcome, signer)
    if check.outcome == BROKEN:
        return Verdict(TAMPERED, sha256, None, check.outcome)
    if check.outcome == VALID:
        return Verdict(SIGNED_UNRECORDED, sha256, None, check.outcome, signer)
    return Verdict(UNKNOWN, sha256, None, check.outcome)


def by_hash(portal: Portal, sha256: str) -> Verdict | None:
    """The record of the document with this hash (the address in a QR code); None if none."""
    sha256 = sha256.strip().lower()
    document = portal.documents.get(sha256) if is_sha256(sha256) else None
    if document is None:
        return None
    return Verdict(REVOKED if document.revoked else GENUINE, sha256, document)


def by_code(portal: Portal, code: str) -> Verdict | None:
    """The record of the document printed with this verification code (its QR code's address);
    None for a code never recorded or not a code at all (any case, with or without dashes)."""
    normalized = normalize_code(code)
    document = portal.documents.by_code(normalized) if normalized else None
    if document is None:
        return None
    return Verdict(REVOKED if document.revoked else GENUINE, document.sha256, document)


def revoke(portal: Portal, sha256: str, reason: str) -> IssuedDocument:
    """Revoke the document (``dichvucong documents revoke``); DocumentNotFound if never issued."""
    sha256 = sha256.strip().lower()
    if not is_sha256(sha256):
        raise DocumentNotFound(sha256)
    return portal.documents.revoke(sha256, reason.strip(), portal.now())
