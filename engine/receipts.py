"""Receipt numbers (số biên nhận): printed on the slip, typed back into the lookup.

Shape: ``YYMM-XXXX-XXXX-XXXC``, e.g. ``2611-7KQ4-MX9P-B2TW``. The 11 random symbols
carry 55 bits from ``secrets``, so enumerating numbers finds nothing (at a million
guesses a day against a hundred thousand dossiers, one hit every ~900 years; the
lookup is also rate limited). The symbols are Crockford's base 32 (no I, L, O, U),
so a number read aloud or copied by hand is unambiguous; the last symbol is a check
character (mod 37) that catches any single mistyped symbol or swapped neighbours
before a lookup is even made. The month prefix tells a clerk at a glance how old a
slip is.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK_ALPHABET = ALPHABET + "*~$=U"  # Crockford's 37 check symbols
_RANDOM_SYMBOLS = 11
_SHAPE = re.compile(r"^[0-9]{4}-[0-9A-Z*~$=]{4}-[0-9A-Z*~$=]{4}-[0-9A-Z*~$=]{4}$")
# Characters people confuse when they copy a number by hand.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_symbol(symbols: str) -> str:
    value = 0
    for ch in symbols:
        value = value * 32 + ALPHABET.index(ch)
    return _CHECK_ALPHABET[value % 37]


def new_receipt_number(today: dt.date) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_SYMBOLS))
    raw = f"{today:%y%m}{body}{_check_symbol(body)}"
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize(text: str) -> str | None:
    """The canonical form of a typed receipt number, or None when it cannot be one.

    Accepts lower case, missing or extra dashes and spaces, and O/I/L for 0/1."""
    compact = re.sub(r"[\s\-]", "", text.upper()).translate(_CONFUSABLE)
    if len(compact) != 16:
        return None
    candidate = "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    return candidate if is_valid(candidate) else None


def is_valid(number: str) -> bool:
    """Shape and check symbol are right (it says nothing about whether it exists)."""
    if not _SHAPE.match(number):
        return False
    compact = number.replace("-", "")
    body, check = compact[4:15], compact[15]
    if any(ch not in ALPHABET for ch in body):
        return False
    return _check_symbol(body) == check
