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
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Protocol

SHA256 = re.compile(r"[0-9a-f]{64}")

# kind -> what the document is, as the verification page names it (a slip's kind: renderers.slips)
RECEIPT = "bien-nhan"
PRINTED = "ban-in"
RESULT = "ket-qua"


class DocumentNotFound(KeyError):
    """No document issued with this hash."""


class CodeTaken(ValueError):
    """Another issued document already has this verification code."""


# The verification code printed beside a document's QR code ("Mã kiểm tra"): 12 characters of
# an alphabet without the look-alikes 0/O, 1/I/L and 5/S (30 letters and digits: 59 bits),
# drawn with ``secrets``, so a code cannot be guessed from another one. Shown as H7QD-3MKP-W9TA.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRTUVWXYZ"
CODE_LENGTH = 12
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: object) -> str | None:
    """A code as typed or read ("h7qd 3mkp-w9ta", "H7QD3MKPW9TA") in its stored form, or None if it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    code = re.sub(r"[\s\-.]", "", value).upper()
    return code if _CODE.fullmatch(code) else None


def grouped_code(code: str) -> str:
    """H7QD3MKPW9TA -> H7QD-3MKP-W9TA: the code as printed and shown."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


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
    code: str = ""  # its verification code (new_code), printed beside its QR code; "": none (a result file)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, reason: str, at: dt.datetime) -> IssuedDocument:
        return replace(self, revoked_at=at, revoked_reason=reason)


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and SHA256.fullmatch(value) is not None


class DocumentRegistry(Protocol):
    def add(self, document: IssuedDocument) -> None:
        """Record an issued document (one insert); the same bytes issued again keep the first record.
        CodeTaken if its code is another document's (one :meth:`reserve_code` returns no code twice)."""

    def get(self, sha256: str) -> IssuedDocument | None:
        """The document issued with these bytes' hash, if any."""

    def reserve_code(self) -> str:
        """A fresh verification code, claimed so no other document gets it, to print before signing."""

    def by_code(self, code: str) -> IssuedDocument | None:
        """The document recorded under this (normalized) verification code, if any."""

    def revoke(self, sha256: str, reason: str, at: dt.datetime) -> IssuedDocument:
        """Mark it revoked (a second revocation replaces the reason); DocumentNotFound if none."""

    def every(self) -> Iterator[IssuedDocument]:
        """Every recorded document, revoked ones included (``dichvucong storage copy``)."""
