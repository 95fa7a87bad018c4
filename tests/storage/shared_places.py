"""Stores over one shared place, on each backend: the same instance folder, or the same
PostgreSQL schema (each store made here has its own pool, as each node has)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.postgres import Database
from tests.storage.conftest import POSTGRES_URL, fresh_schema

BACKENDS = ["folder", "postgres"]


@contextmanager
def place(backend: str, tmp_path: Path, folder_store: Callable[[Path], Any],
          database_store: Callable[[Database, Path], Any]) -> Iterator[Callable[[], Any]]:
    """A maker of stores sharing one place. ``database_store(db, node_folder)`` gets a
    folder of its own per call: nodes share the database only."""
    if backend == "folder":
        yield lambda: folder_store(tmp_path)
        return
    with fresh_schema() as schema:
        databases: list[Database] = []

        def make() -> Any:
            databases.append(Database(f"{POSTGRES_URL}?schema={schema}", max_size=4))
            return database_store(databases[-1], tmp_path / f"node-{len(databases)}")

        try:
            yield make
        finally:
            for db in databases:
                db.close()
