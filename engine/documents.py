"""The registry of issued documents: every PDF the portal gives someone, by the SHA-256 of its bytes.

Each time the portal serves a receipt, a desk slip (Mẫu 01–05), a printed dossier or a
result PDF, ``operations.documents.issue`` records one :class:`IssuedDocument`: the hash
of the exact bytes served, what it is, the dossier, the issuing agency, when, and whether
it was signed. The public verification page ("Kiểm tra văn bản") answers from it, so a
document whose hash is not here was not issued by the portal as it is (changed after
issuing, or never issued). A revoked document stays, with the reason and time.

Two registries implement :class:`DocumentRegistry`: TinyDB files in the instance folder
(``storage.documents``, the embedded default) and a PostgreSQL table
(``storage.postgres_documents``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Protocol

SHA256 = re.compile(r"[0-9a-f]{64}")

# kind -> what the document is, as the verification page names it (a slip's kind: renderers.slips)
RECEIPT = "bien-nhan"
PRINTED = "ban-in"
RESULT = "ket-qua"


class DocumentNotFound(KeyError):
    """No document issued with this hash."""


@dataclass(frozen=True)
class IssuedDocument:
    sha256: str  # of the bytes served, lowercase hex
    kind: str  # RECEIPT, PRINTED, RESULT or a slip's kind ("yeu-cau-bo-sung", …)
    title: str  # what it is, in Vietnamese ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    dossier_id: str  # the dossier's id; a batch print: the ids, comma-separated
    agency: str  # the issuing agency's code
    agency_name: str  # its name when issued, as the page shows it
    issued_at: dt.datetime
    signed: bool  # whether it carries the agency's signature
    revoked_at: dt.datetime | None = None
    revoked_reason: str = ""

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, reason: str, at: dt.datetime) -> IssuedDocument:
        return replace(self, revoked_at=at, revoked_reason=reason)


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and SHA256.fullmatch(value) is not None


class DocumentRegistry(Protocol):
    def add(self, document: IssuedDocument) -> None:
        """Record an issued document (one insert); the same bytes issued again keep the first record."""

    def get(self, sha256: str) -> IssuedDocument | None:
        """The document issued with these bytes' hash, if any."""

    def revoke(self, sha256: str, reason: str, at: dt.datetime) -> IssuedDocument:
        """Mark it revoked (a second revocation replaces the reason); DocumentNotFound if none."""
