"""The personal identification number (số định danh cá nhân) and what its digits say.

Since 1 January 2025 the 9-digit CMND is no longer valid (Luật Căn cước 2023, Art. 46):
a new number is always the 12-digit số định danh cá nhân, printed on the căn cước card.
Its digits:

* 1–3: the code of the province where the birth was registered;
* 4: century of birth and sex (born 1900–1999: 0 male, 1 female; 2000–2099: 2 male,
  3 female);
* 5–6: the last two digits of the birth year;
* 7–12: a serial.

A dossier recorded before 2025 may still carry a CMND; the public lookup finds it
(``engine.public``) and a stored account keeps it, but no new input takes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LENGTH = 12
CMND_LENGTH = 9  # the old chứng minh nhân dân: recorded data only

# "0" + the code of each of the 63 provinces of Quyết định 124/2004/QĐ-TTg; numbers issued
# before the 2025 merger of provinces keep them. Births registered abroad open with a
# country code instead, but we hold no source for those codes, so only the provinces are
# accepted (such a number is refused as an unknown code rather than guessed at).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
    "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
    "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
    "094 095 096".split()
)

MALE, FEMALE = "male", "female"


@dataclass(frozen=True)
class Century:
    first_year: int  # 1900, 2000
    sex: str  # MALE or FEMALE


# Digit 4 -> (century, sex), for births 1900–2099: everyone alive or being born now.
# Any other digit is refused (we hold no source for other centuries' digits).
CENTURY_SEX: dict[str, Century] = {
    "0": Century(1900, MALE),
    "1": Century(1900, FEMALE),
    "2": Century(2000, MALE),
    "3": Century(2000, FEMALE),
}


def century_digit(year: int, sex: str) -> str | None:
    """The 4th digit for someone of ``sex`` born in ``year`` (None outside 1900–2099)."""
    for digit, century in CENTURY_SEX.items():
        if century.sex == sex and century.first_year <= year < century.first_year + 100:
            return digit
    return None


def birth_year(number: str) -> int | None:
    """The birth year a well-formed 12-digit number encodes (digits 4–6)."""
    century = CENTURY_SEX.get(number[3:4])
    if century is None or not number[4:6].isdigit():
        return None
    return century.first_year + int(number[4:6])


def year_of(date_text: str) -> int | None:
    """The year of an ISO date (``YYYY-MM-DD``), or None when it is not one."""
    try:
        return dt.date.fromisoformat(date_text).year if len(date_text) == 10 else None
    except ValueError:
        return None
