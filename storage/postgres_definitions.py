"""Published service definitions in PostgreSQL, for nodes that share nothing but the database.

``definitions`` holds every published version (its four files, or two for a service
without a form), ``catalog_state`` one row: the revision counter, bumped in the
transaction of each publish and withdrawal, and the withdrawn services. A node checks the revision at each request and reloads its
catalogue when it changed, so a publish on one node is served by every node on its next
request; the check reads the row only when the node's listener was told of a change, or
cannot vouch that there was none (storage.catalog_watch: LISTEN/NOTIFY).

The catalogue is loaded from folders (``engine.catalog.load_published``), so each node
writes the versions it has not seen into a local cache folder laid out like the
embedded store's (``<slug>/<n>/``, written whole then renamed): a version never
changes, the cache never goes stale, and deleting it costs only a reload.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from storage.catalog_watch import CatalogWatch, notify
from storage.definitions import DefinitionStore, PublishedVersion, check_files, write_temporary
from storage.postgres import Database

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.definitions (
            slug text COLLATE "C" NOT NULL,
            number integer NOT NULL CHECK (number > 0),
            files jsonb NOT NULL,
            published_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (slug, number)
        )""",
        """CREATE TABLE {schema}.catalog_state (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            revision bigint NOT NULL,
            withdrawn jsonb NOT NULL
        )""",
        "INSERT INTO {schema}.catalog_state (revision, withdrawn) VALUES (0, '[]')",
    ),
)


class PostgresDefinitionStore:
    """The interface of storage.definitions.DefinitionStore, kept in PostgreSQL;
    ``root`` is the node's cache folder of the versions' files."""

    def __init__(self, db: Database, cache: str | os.PathLike[str]) -> None:
        db.migrate("definitions", MIGRATIONS)
        self.db = db
        self.root = Path(cache)
        self.root.mkdir(parents=True, exist_ok=True)
        self._folders = DefinitionStore(self.root)  # reads the cache's layout
        self._revision = db.sql("SELECT revision FROM {schema}.catalog_state")
        self._withdrawn = db.sql("SELECT withdrawn::text FROM {schema}.catalog_state")
        self._numbers = db.sql("SELECT slug, number FROM {schema}.definitions ORDER BY slug, number")
        self._files = db.sql("SELECT files::text FROM {schema}.definitions WHERE slug = %s AND number = %s")
        self._watch = CatalogWatch(db.conninfo, db.schema, self._read_revision)
        db.closing.append(self._watch.close)

    # -- reading ---------------------------------------------------------------------------

    def revision(self) -> int:
        return self._watch.revision()

    def _read_revision(self) -> int:
        with self.db.connection() as conn:
            return conn.execute(self._revision).fetchone()[0]

    def versions(self, slug: str | None = None) -> list[PublishedVersion]:
        with self.db.connection() as conn:
            rows = conn.execute(self._numbers).fetchall()
            found = []
            for name, number in rows:
                if slug is not None and name != slug:
                    continue
                folder = self.root / name / str(number)
                if not folder.is_dir():
                    files = json.loads(conn.execute(self._files, [name, number]).fetchone()[0])
                    self._cache(name, number, {n: content.encode() for n, content in files.items()})
                found.append(PublishedVersion(name, number, folder))
        return found

    def version(self, slug: str, number: int) -> PublishedVersion:
        [found] = [v for v in self.versions(slug) if v.number == number]
        return found

    def withdrawn(self) -> frozenset[str]:
        with self.db.connection() as conn:
            return frozenset(json.loads(conn.execute(self._withdrawn).fetchone()[0]))

    # -- writing ---------------------------------------------------------------------------

    def publish(self, slug: str, files: dict[str, bytes], floor: int = 0,
                verify: Callable[[Path], None] | None = None) -> int:
        """As DefinitionStore.publish; the number is taken, the row written and the
        revision bumped in one transaction (one publisher at a time, on any node)."""
        check_files(slug, files)
        texts = {name: content.decode() for name, content in files.items()}  # JSON files: UTF-8
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self.db.sql("SELECT revision FROM {schema}.catalog_state FOR UPDATE"))
            latest = conn.execute(self.db.sql("SELECT max(number) FROM {schema}.definitions WHERE slug = %s"),
                                  [slug]).fetchone()[0]
            number = max(floor, latest or 0) + 1
            folder = self._cache(slug, number, files)
            try:
                if verify is not None:
                    verify(folder)
                conn.execute(self.db.sql("INSERT INTO {schema}.definitions (slug, number, files) VALUES (%s, %s, %s)"),
                             [slug, number, json.dumps(texts, ensure_ascii=False)])
                conn.execute(self.db.sql("UPDATE {schema}.catalog_state SET revision = revision + 1"))
                notify(conn, self.db.schema)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)  # not published: no version of that number exists
                raise
        self._watch.changed()
        return number

    def add_version(self, slug: str, number: int, files: dict[str, bytes]) -> None:
        """Store a version under its own number (``dichvucong storage copy``)."""
        texts = {name: content.decode() for name, content in files.items()}
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self.db.sql("INSERT INTO {schema}.definitions (slug, number, files) VALUES (%s, %s, %s)"),
                         [slug, number, json.dumps(texts, ensure_ascii=False)])
            conn.execute(self.db.sql("UPDATE {schema}.catalog_state SET revision = revision + 1"))
            notify(conn, self.db.schema)
        self._watch.changed()

    def set_withdrawn(self, slug: str, withdrawn: bool = True) -> None:
        change = "(SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM (SELECT DISTINCT s FROM jsonb_array_elements_text(withdrawn || to_jsonb(%s::text)) s) t)" \
            if withdrawn else "(SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM jsonb_array_elements_text(withdrawn) s WHERE s <> %s)"
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self.db.sql("UPDATE {schema}.catalog_state SET revision = revision + 1, withdrawn = " + change),
                         [slug])
            notify(conn, self.db.schema)
        self._watch.changed()

    def sweep(self) -> None:
        self._folders.sweep()

    # -- the cache -------------------------------------------------------------------------

    def _cache(self, slug: str, number: int, files: dict[str, bytes]) -> Path:
        """Write a version's files into the cache folder (whole, then renamed), unless there."""
        parent = self.root / slug
        parent.mkdir(exist_ok=True)
        folder = parent / str(number)
        if folder.is_dir():
            return folder
        temp = write_temporary(parent, files)
        try:
            os.rename(temp, folder)
        except OSError:
            shutil.rmtree(temp, ignore_errors=True)
            if not folder.is_dir():  # another worker of this node cached it first: fine
                raise
        return folder
