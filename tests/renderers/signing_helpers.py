"""A test CA and an agency's certificate and PKCS#12 key, made with ``cryptography`` (no network),
and a check of a signed PDF with pyHanko's validator trusting only that CA."""

from __future__ import annotations

import datetime as dt
import io
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "mật-khẩu-thử 2026"
AGENCY = "ubnd-phuong-vi-thanh"  # the household business service's agency
AGENCY_NAME = "Ủy ban nhân dân phường Vị Thanh"


@dataclass(frozen=True)
class Pki:
    ca: asn1_x509.Certificate  # the only trust root of the checks
    p12: Path  # the agency's key and certificate chain, encrypted with PASSPHRASE
    tsa_cert: asn1_x509.Certificate  # a time-stamping authority under the same CA
    tsa_key: asn1_keys.PrivateKeyInfo


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path, agency_name: str = AGENCY_NAME, passphrase: str = PASSPHRASE,
             days: int = 365, file_name: str = "agency.p12") -> Pki:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("CA thử nghiệm dichvucong")
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(agency_name)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"agency", key, cert, [ca_cert], serialization.BestAvailableEncryption(passphrase.encode()))
    path = folder / file_name
    path.write_bytes(data)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's DummyTimeStamper: RSA only
    tsa_cert = (x509.CertificateBuilder().subject_name(_name("TSA thử nghiệm")).issuer_name(ca_name)
                .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                .sign(ca_key, hashes.SHA256()))
    der = serialization.Encoding.DER
    return Pki(asn1_x509.Certificate.load(ca_cert.public_bytes(der)), path,
               asn1_x509.Certificate.load(tsa_cert.public_bytes(der)),
               asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                                   serialization.NoEncryption())))


class LocalTsa:
    """An RFC 3161 time-stamping authority on 127.0.0.1 (pyHanko's DummyTimeStamper behind HTTP)."""

    def __init__(self, pki: Pki):
        import http.server
        import threading

        from asn1crypto import tsp
        from pyhanko.sign.timestamps import DummyTimeStamper

        stamper = DummyTimeStamper(tsa_cert=pki.tsa_cert, tsa_key=pki.tsa_key)
        served = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
                served.append(request)
                answer = stamper.request_tsa_response(request).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signatures(pdf: bytes, ca: asn1_x509.Certificate) -> list:
    """pyHanko's status of each signature in ``pdf``, trusting ``ca`` only, fetching nothing."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return [validate_pdf_signature(sig, ValidationContext(trust_roots=[ca], allow_fetching=False))
            for sig in reader.embedded_signatures]


def flip_a_signed_byte(pdf: bytes) -> bytes:
    """``pdf`` with one byte changed inside a page's content stream, which the signature covers."""
    at = pdf.index(b"stream", pdf.index(b"/Length")) + 20
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


@pytest.fixture
def no_network(monkeypatch):
    """Any connection beyond this machine (an OCSP, CRL or certificate fetch) fails the test;
    a test's own server on 127.0.0.1 (LocalTsa) is reachable."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guard(real):
        def checked(self, address, *args):
            if not (isinstance(address, tuple) and address[0] == "127.0.0.1"):
                raise AssertionError(f"network access during signing or validation: {address!r}")
            return real(self, address, *args)
        return checked

    monkeypatch.setattr(socket.socket, "connect", guard(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(connect_ex))
