"""Vietnamese text helpers."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, without diacritics: "Hộ kinh doanh" and "ho kinh doanh" compare equal.

    Citizens often type without accents on phones; search must still find the service.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())
