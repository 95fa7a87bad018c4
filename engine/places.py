"""Vietnam's administrative units (two levels since 1 July 2025), from `vietnam-provinces`.

Addresses store names as a citizen writes them: "Thành phố Cần Thơ", "Tỉnh Đắk Lắk",
"Phường Vị Thanh". The package names provinces without "Tỉnh", and a few of its ward
names carry doubled spaces, so names are normalised once here.
"""

from __future__ import annotations

from functools import lru_cache

import vietnam_provinces as vp


def _clean(name: str) -> str:
    return " ".join(name.split())


def _province_display(name: str) -> str:
    name = _clean(name)
    return name if name.startswith("Thành phố") else f"Tỉnh {name}"


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[str, ...]]:
    """Province display name -> its wards' names, in the package's order."""
    return {
        _province_display(p.name): tuple(_clean(w.name) for w in vp.Ward.iter_by_province(p.code))
        for p in vp.Province.iter_all()
    }


@lru_cache(maxsize=1)
def _ward_sets() -> dict[str, frozenset[str]]:
    return {province: frozenset(wards) for province, wards in _units().items()}


@lru_cache(maxsize=1)
def _all_wards() -> frozenset[str]:
    return frozenset().union(*_ward_sets().values())


def provinces() -> list[str]:
    return list(_units())


def wards(province: str) -> tuple[str, ...]:
    return _units().get(province, ())


def is_province(name: str) -> bool:
    return name in _units()


def is_ward(name: str) -> bool:
    return name in _all_wards()


def ward_in_province(ward: str, province: str) -> bool:
    return ward in _ward_sets().get(province, frozenset())
