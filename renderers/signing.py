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
from dataclasses import dataclass

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
