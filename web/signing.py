"""Each agency's signing key, loaded at start-up, and the one call that signs what the portal issues.

The operator names the keys in ``DVC_SIGNING_KEYS`` (setting ``SIGNING_KEYS``): JSON, inline
or in a file whose path the variable holds, mapping an agency's code to its PKCS#12 file and
the environment variable that holds the file's passphrase::

    {"ubnd-phuong-vi-thanh": {"pkcs12": "/etc/dichvucong/keys/ubnd.p12", "passphrase_env": "DVC_KEY_UBND"}}

A relative ``pkcs12`` path is read from the instance folder. A key that cannot be used (a
missing or unreadable file, a wrong or missing passphrase, an expired certificate) stops
the start with a Vietnamese message naming the agency; the passphrase itself is never
logged or shown. An agency with no key issues unsigned PDFs. ``DVC_TSA_URL`` (setting
``TSA_URL``): a time-stamping authority whose timestamp each signature carries.

Routes that serve a PDF call :func:`signed`; ``operations`` reach the same through
``Portal.sign`` (a result file the clerk uploads). See docs/signing.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from web import resources

EXTENSION = "signing_keys"


class SigningSetupError(RuntimeError):
    """The signing keys' settings cannot be used; the message (Vietnamese) says which and why."""


def init_app(app: Flask) -> None:
    keys = load_keys(app.config.get("SIGNING_KEYS"), Path(app.instance_path))
    app.extensions[EXTENSION] = keys
    tsa = app.config.get("TSA_URL") or None
    resources.portal(app).sign = signer(keys, app.config["CITY_NAME"], tsa)
    if keys:  # what the verification page checks signatures against (no keys: no pyHanko to import)
        from renderers.signing import trust_of

        resources.portal(app).trust = trust_of(keys.values())
    if keys:
        app.logger.info("ký số văn bản: %d cơ quan có khóa (%s)%s", len(keys), ", ".join(sorted(keys)),
                        f", dấu thời gian từ {tsa}" if tsa else "")


def signer(keys: dict[str, Any], location: str, tsa: str | None = None) -> Callable[[bytes, str, str], bytes]:
    """``sign(pdf, agency, reason)``: signed with the agency's key of ``keys`` (load_keys), or as it
    is when the agency has none. Also for ``dichvucong print``, which runs without the app."""
    def sign(pdf: bytes, agency: str, reason: str) -> bytes:
        key = keys.get(agency)
        if key is None:
            return pdf
        from renderers.signing import sign_pdf

        return sign_pdf(pdf, key, reason, location, tsa)

    return sign


def signed(pdf_bytes: bytes, agency_code: str, reason: str) -> bytes:
    """``pdf_bytes`` signed with ``agency_code``'s key, or as they are if it has none."""
    return resources.portal(current_app).sign(pdf_bytes, agency_code, reason)


def signing_agencies(app: Flask | None = None) -> list[str]:
    """The agencies whose PDFs are signed."""
    return sorted((app or current_app).extensions.get(EXTENSION, {}))


def load_keys(setting: str | dict | None, instance: Path) -> dict[str, Any]:
    """agency code -> renderers.signing.AgencyKey; {} when nothing is configured."""
    if not setting:
        return {}
    entries = _entries(setting)
    from renderers.signing import BadKey, load_key

    keys = {}
    for agency, entry in entries.items():
        where = f"DVC_SIGNING_KEYS, cơ quan {agency!r}"
        if not isinstance(entry, dict) or not isinstance(entry.get("pkcs12"), str):
            raise SigningSetupError(f"{where}: cần {{\"pkcs12\": \"đường dẫn tệp .p12\", "
                                    f"\"passphrase_env\": \"TÊN_BIẾN_MÔI_TRƯỜNG\"}}")
        path = Path(entry["pkcs12"])
        path = path if path.is_absolute() else instance / path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningSetupError(f"{where}: không đọc được tệp khóa {path} ({exc.strerror or exc})") from None
        passphrase = None
        if entry.get("passphrase_env"):
            name = str(entry["passphrase_env"])
            if name not in os.environ:
                raise SigningSetupError(f"{where}: chưa đặt biến môi trường {name} (mật khẩu của tệp khóa {path})")
            passphrase = os.environ[name].encode("utf-8")
        try:
            keys[agency] = load_key(agency, data, passphrase)
        except BadKey as exc:
            raise SigningSetupError(f"{where}: {exc.message} — tệp {path}") from None
    return keys


def _entries(setting: str | dict) -> dict[str, Any]:
    if isinstance(setting, dict):
        return setting
    text = setting.strip()
    if not text.startswith("{"):  # a path to the JSON file
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise SigningSetupError(f"DVC_SIGNING_KEYS: không đọc được tệp {setting} ({exc.strerror or exc})") from None
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise SigningSetupError(f"DVC_SIGNING_KEYS: không phải JSON hợp lệ ({exc})") from None
    if not isinstance(entries, dict):
        raise SigningSetupError("DVC_SIGNING_KEYS: cần một đối tượng JSON {\"mã cơ quan\": {...}}")
    return entries
