"""Digital signatures on the PDFs the portal issues, with the issuing agency's key (pyHanko).

A signature is PAdES baseline B-B (``/SubFilter /ETSI.CAdES.detached``, SHA-256) with the
signer's certificate chain embedded, added as an incremental update, so the document's
bytes before it are unchanged and any byte changed afterwards breaks it. With a
time-stamping authority's address (``timestamp_url``) the signature also carries a
timestamp token from it (B-T). Nothing here reads files or settings: ``web.signing``
loads each agency's PKCS#12 key at start-up and gives its bytes to :func:`load_key`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto.pkcs12 import Pfx
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

FIELD_NAME = "ChuKySoCoQuan"  # the signature field each signed PDF gains


class BadKey(ValueError):
    """A PKCS#12 key that cannot be used; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SigningFailed(ValueError):
    """A PDF that cannot be signed (encrypted, malformed); ``message`` in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AgencyKey:
    """One agency's signing key and certificate chain, ready to sign."""

    agency: str  # the agency's code in the service definitions (service.json ``agency.code``)
    signer: signers.SimpleSigner
    subject: str  # the certificate's subject, as people read it
    not_after: dt.datetime  # the certificate's expiry

    def __repr__(self) -> str:  # never the key material
        return f"AgencyKey({self.agency!r}, {self.subject!r}, until {self.not_after:%Y-%m-%d})"


def load_key(agency: str, pkcs12: bytes, passphrase: bytes | None, now: dt.datetime | None = None) -> AgencyKey:
    """The key in a PKCS#12 archive; :class:`BadKey` if the passphrase is wrong, the
    archive holds no key or certificate, or the certificate is not valid at ``now``."""
    if not _is_pkcs12(pkcs12):
        raise BadKey(f"tệp khóa của cơ quan {agency} không phải tệp PKCS#12 (.p12, .pfx)")
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=(), passphrase=passphrase)
    except Exception:  # a well-formed archive that does not open: the passphrase
        raise BadKey(f"sai mật khẩu của tệp khóa PKCS#12 (cơ quan {agency})") from None
    cert = signer.signing_cert
    if cert is None or signer.signing_key is None:
        raise BadKey(f"tệp PKCS#12 của cơ quan {agency} không có khóa bí mật và chứng thư số")
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    moment = now or dt.datetime.now(dt.timezone.utc)
    if not not_before <= moment <= not_after:
        raise BadKey(f"chứng thư số của cơ quan {agency} chỉ có hiệu lực từ {not_before:%d/%m/%Y} "
                        f"đến {not_after:%d/%m/%Y}")
    return AgencyKey(agency=agency, signer=signer, subject=cert.subject.human_friendly, not_after=not_after)


@functools.lru_cache(maxsize=4)
def _timestamper(url: str) -> HTTPTimeStamper:
    """One client per authority: it asks once for a sample timestamp (to reserve room for the
    real ones) and keeps it, so each later signature costs one request. Safe across threads:
    it opens an HTTP session per request."""
    return HTTPTimeStamper(url, timeout=10)


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """FIELD_NAME, or FIELD_NAME-2, -3, … when the PDF already has it (a result PDF the portal
    signed before, uploaded again): its earlier signatures are kept, the new one is added."""
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    return next(name for n in range(1, len(taken) + 2)
                if (name := FIELD_NAME if n == 1 else f"{FIELD_NAME}-{n}") not in taken)


def _is_pkcs12(data: bytes) -> bool:
    """Whether ``data`` is the outer structure of a PKCS#12 archive (readable without its passphrase)."""
    try:
        pfx = Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except Exception:
        return False


def sign_pdf(pdf_bytes: bytes, key: AgencyKey, reason: str, location: str,
             timestamp_url: str | None = None) -> bytes:
    """``pdf_bytes`` with the agency's signature added (an invisible signature field);
    :class:`SigningFailed` for a PDF pyHanko cannot sign."""
    timestamper = _timestamper(timestamp_url) if timestamp_url else None
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        if writer.security_handler is not None:
            raise SigningFailed("tệp PDF có đặt mật khẩu hoặc mã hóa, không ký số được")
        meta = signers.PdfSignatureMetadata(
            field_name=_free_field_name(writer), reason=reason, location=location, md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        out = signers.PdfSigner(meta, signer=key.signer, timestamper=timestamper).sign_pdf(
            writer, existing_fields_only=False)
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"không ký số được tệp PDF ({type(exc).__name__}: {exc})"[:300]) from None
    return out.getvalue()


# -- checking a signature ------------------------------------------------------------------

VALID, BROKEN, OTHER_SIGNER, UNSIGNED = "valid", "broken", "other-signer", "unsigned"


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko found of the signatures of a PDF, against the agencies' certificates.

    ``outcome``: VALID (every signature intact, the last made by one of ``trusted`` keys and
    covering the whole file: nothing was added after it), BROKEN (a signature whose bytes
    changed, or bytes added after the last signature, or a file that does not read),
    OTHER_SIGNER (intact, but not by a key the portal holds), UNSIGNED (no signature)."""

    outcome: str
    signer: str = ""  # the last signature's certificate subject, as people read it (VALID, OTHER_SIGNER)
    signed_at: dt.datetime | None = None  # the time the signer's clock (or the timestamp) gave


def trust_of(keys: Iterable[AgencyKey]) -> tuple[tuple[Any, ...], frozenset[bytes]]:
    """The trust roots (every certificate of the keys' chains) and the agencies' own
    certificates (their SHA-256 fingerprints), for :func:`check_signatures`."""
    roots, own = {}, set()
    for key in keys:
        cert = key.signer.signing_cert
        own.add(cert.sha256)
        for c in (cert, *key.signer.cert_registry):
            roots[c.sha256] = c
    return tuple(roots.values()), frozenset(own)


def check_signatures(pdf_bytes: bytes, roots: tuple[Any, ...], own: frozenset[bytes]) -> SignatureCheck:
    """Validate every signature of ``pdf_bytes`` trusting only ``roots`` (fetching nothing:
    no OCSP, CRL or certificate download); the signer must be one of ``own``."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        return SignatureCheck(BROKEN)
    if not embedded:
        return SignatureCheck(UNSIGNED)
    statuses = []
    for signature in embedded:
        try:
            context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")
            statuses.append(validate_pdf_signature(signature, context))
        except Exception:
            return SignatureCheck(BROKEN)
    if not all(s.intact and s.valid for s in statuses):
        return SignatureCheck(BROKEN)
    last = statuses[-1]
    if last.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(BROKEN)  # bytes added after the last signature
    subject = last.signing_cert.subject.human_friendly
    when = last.timestamp_validity.timestamp if last.timestamp_validity else last.signer_reported_dt
    if not last.trusted or last.signing_cert.sha256 not in own:
        return SignatureCheck(OTHER_SIGNER, subject, when)
    return SignatureCheck(VALID, subject, when)
