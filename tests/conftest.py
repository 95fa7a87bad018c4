"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest

from engine.catalog import Catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def household(catalog):
    """The user guide's example: household business registration."""
    return catalog["dang-ky-thanh-lap-ho-kinh-doanh"]
