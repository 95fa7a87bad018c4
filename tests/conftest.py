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


# -- the fuzz suite's closing line (tests/fuzz), also under pytest-xdist ----------------------

def pytest_sessionfinish(session):
    from tests.fuzz.counter import SENT

    if hasattr(session.config, "workeroutput"):  # a worker: hand its count to the controller
        session.config.workeroutput["fuzz_sent"] = dict(SENT)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent with -p no:xdist
def pytest_testnodedown(node, error):
    from tests.fuzz.counter import SENT

    SENT.update(getattr(node, "workeroutput", {}).get("fuzz_sent", {}))


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz.counter import EXAMPLES, SENT

    if SENT:
        parts = ", ".join(f"{n} on {backend}" for backend, n in sorted(SENT.items()))
        terminalreporter.write_line(f"fuzz: sent {sum(SENT.values())} hostile requests ({parts}); "
                                    f"{EXAMPLES} examples a test (FUZZ_EXAMPLES)")
