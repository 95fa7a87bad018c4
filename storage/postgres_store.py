"""The PostgreSQL dossier store: one table, the dossier as JSONB beside the columns its
lookups and the clerk's inbox need (see storage.postgres for the database and migrations).

How the DossierRepository maps onto the table ``dossiers``:

- ``add``/``bulk_add``: INSERT (COPY for a bulk add, one transaction); the primary key
  refuses a stored id (DuplicateDossier), the UNIQUE ``receipt_number`` a receipt number
  another dossier has (DuplicateReceipt).
- ``update``/``delete``: ``… WHERE id = %s AND version = %s``; when no row changed, a
  second look tells ConflictError (another version) from DossierNotFound (no row).
- ``find_by_receipt``, ``list_by_owner``, ``list_by_id_number``: an index each, newest
  first by ``created_at`` then id.
- ``query``/``query_page``: filters on agency, status, service and ``submitted_day``,
  ordered in SQL as the TinyDB store orders (engine.repository); a page and the total
  come from one statement, so from one snapshot. A page is merged from the first entries
  of one index range per (agency, state), already in the page's order; the total is summed
  from ``dossier_counts``, the dossiers per (agency, state, service, day), which a trigger
  keeps in each writing transaction (migration 2: bench/README.md measured both at a
  million dossiers).

The sealed entries of each processing log (engine.log_chain) are also inserted, in the
transaction that writes the dossier, into ``dossier_log`` (migration 3), whose trigger
refuses any UPDATE, DELETE or TRUNCATE: ``log_anchor`` gives ``log verify`` the last hash
to compare a dossier's own log with.

``submitted_day`` is ``submitted_at``'s day in the offset it was written with (Vietnam
time, as the engine writes it), computed here on writing: a timestamptz keeps the instant
but not the offset, and the date filters compare that day (engine.repository.query).
Text compared in an order (ids) has the "C" collation, so it sorts as Python sorts strings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from engine.dossier import Dossier, LogEntry, Status
from engine.bounds import MAX_ROW
from engine.facts import Facts, facts_from_json
from engine.repository import DossierNotFound, DuplicateDossier, Order, OwnerPage, Page, check_page, check_range
from storage.postgres import Database, DocumentTable, aware, is_id

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.dossiers (
            id text COLLATE "C" CONSTRAINT dossiers_pkey PRIMARY KEY
                CONSTRAINT dossiers_id_check CHECK (length(id) = 16 AND id ~ '^[0-9a-f]+$'),
            version integer NOT NULL,
            owner text NOT NULL,
            receipt_number text CONSTRAINT dossiers_receipt_number_key UNIQUE,
            applicant_id_number text,
            agency text NOT NULL,
            status text NOT NULL,
            service text NOT NULL,
            submitted_at timestamptz,
            submitted_day date,
            created_at timestamptz NOT NULL,
            appointment_date date,
            doc jsonb NOT NULL
        )""",
        "CREATE INDEX dossiers_owner ON {schema}.dossiers (owner, created_at DESC, id DESC)",
        """CREATE INDEX dossiers_applicant ON {schema}.dossiers (applicant_id_number, created_at DESC, id DESC)
            WHERE applicant_id_number IS NOT NULL""",
        # The clerk's inbox: its filters, then every column its orders sort on (_order_by), so
        # that the matching dossiers are counted and sorted from the index alone.
        """CREATE INDEX dossiers_inbox ON {schema}.dossiers
            (agency, status, appointment_date, submitted_at, created_at, id)""",
        "CREATE INDEX dossiers_service ON {schema}.dossiers (service, status)",
        "CREATE INDEX dossiers_submitted_day ON {schema}.dossiers (submitted_day)",
    ),
    (  # 2: the clerk's inbox at a million dossiers (bench/README.md, "PostgreSQL at 1,000,000")
        # Each (agency, state) range of this index is in query_page's "appointment" order
        # (_order_by: the same expressions), so a first page reads 20 entries a range instead
        # of sorting every match; the included columns let the other filters and the page's
        # sort keys come from the index alone (the planner wants the plain columns behind
        # the expressions).
        """CREATE INDEX dossiers_inbox_by_appointment ON {schema}.dossiers
            (agency, status, appointment_date, (submitted_at IS NULL), (COALESCE(submitted_at, created_at)), id)
            INCLUDE (service, submitted_day, submitted_at, created_at)""",
        "DROP INDEX {schema}.dossiers_inbox",  # its successor has every column it had
        # The same ranges by submission day, for an inbox limited to some days: the days' entries
        # of each range, sorted (the newest submissions have the latest appointments, so the
        # order above would go through nearly a whole range to find them).
        """CREATE INDEX dossiers_inbox_by_day ON {schema}.dossiers (agency, status, submitted_day)
            INCLUDE (appointment_date, submitted_at, created_at, id, service)""",
        # query_page's total without visiting each match (42,000 of them for the largest
        # agency's inbox in the benchmark): how many dossiers each (agency, state, service,
        # submission day) has, kept by the trigger below in the writing transaction itself,
        # so a total is exact and from the statement's snapshot.
        """CREATE TABLE {schema}.dossier_counts (
            agency text NOT NULL,
            status text NOT NULL,
            service text NOT NULL,
            submitted_day date,
            dossiers bigint NOT NULL
        )""",
        """CREATE UNIQUE INDEX dossier_counts_key ON {schema}.dossier_counts
            (agency, status, service, (COALESCE(submitted_day, 'infinity')))""",
        "CREATE INDEX dossier_counts_by_status ON {schema}.dossier_counts (status)",  # every agency's total
        # One statement per write (a COPY of many dossiers included), adding its changes up per
        # group and taking the groups in key order: writes that share a counter wait for each
        # other's commit, and never deadlock.
        """CREATE FUNCTION {schema}.dossier_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {schema}.dossier_counts AS c
                SELECT agency, status, service, submitted_day, count(*) FROM added
                GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, COALESCE(submitted_day, 'infinity')
                ON CONFLICT (agency, status, service, (COALESCE(submitted_day, 'infinity')))
                DO UPDATE SET dossiers = c.dossiers + EXCLUDED.dossiers;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {schema}.dossier_counts AS c
                SELECT agency, status, service, submitted_day, -count(*) FROM removed
                GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, COALESCE(submitted_day, 'infinity')
                ON CONFLICT (agency, status, service, (COALESCE(submitted_day, 'infinity')))
                DO UPDATE SET dossiers = c.dossiers + EXCLUDED.dossiers;
            ELSE
                INSERT INTO {schema}.dossier_counts AS c
                SELECT agency, status, service, submitted_day, sum(change) FROM (
                    SELECT agency, status, service, submitted_day, -1 AS change FROM removed
                    UNION ALL SELECT agency, status, service, submitted_day, 1 FROM added
                ) AS changes
                GROUP BY 1, 2, 3, 4 HAVING sum(change) <> 0
                ORDER BY 1, 2, 3, COALESCE(submitted_day, 'infinity')
                ON CONFLICT (agency, status, service, (COALESCE(submitted_day, 'infinity')))
                DO UPDATE SET dossiers = c.dossiers + EXCLUDED.dossiers;
            END IF;
            RETURN NULL;
        END $$""",
        # The triggers first: they lock the table against writes until the counts below commit.
        """CREATE TRIGGER dossier_counts_insert AFTER INSERT ON {schema}.dossiers
            REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.dossier_counts_change()""",
        """CREATE TRIGGER dossier_counts_update AFTER UPDATE ON {schema}.dossiers
            REFERENCING OLD TABLE AS removed NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.dossier_counts_change()""",
        """CREATE TRIGGER dossier_counts_delete AFTER DELETE ON {schema}.dossiers
            REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {schema}.dossier_counts_change()""",
        """INSERT INTO {schema}.dossier_counts
            SELECT agency, status, service, submitted_day, count(*) FROM {schema}.dossiers GROUP BY 1, 2, 3, 4""",
    ),
    (  # 3: the processing log's sealed entries (engine.log_chain), kept apart and insert-only
        # Written in the transaction that writes the dossier; a trigger refuses every UPDATE,
        # DELETE and TRUNCATE, whoever asks (the portal's role owns the table, and PUBLIC has
        # no privilege on it), so the chain's last hash here is what ``log verify`` compares
        # the dossier's own log with (log_anchor).
        """CREATE TABLE {schema}.dossier_log (
            dossier_id text COLLATE "C" NOT NULL,
            position integer NOT NULL,
            hash text NOT NULL,
            entry jsonb NOT NULL,
            CONSTRAINT dossier_log_pkey PRIMARY KEY (dossier_id, position)
        )""",
        """CREATE FUNCTION {schema}.dossier_log_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'dossier_log accepts inserts only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""",
        """CREATE TRIGGER dossier_log_insert_only BEFORE UPDATE OR DELETE ON {schema}.dossier_log
            FOR EACH ROW EXECUTE FUNCTION {schema}.dossier_log_insert_only()""",
        """CREATE TRIGGER dossier_log_no_truncate BEFORE TRUNCATE ON {schema}.dossier_log
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.dossier_log_insert_only()""",
        "REVOKE ALL ON {schema}.dossier_log FROM PUBLIC",
        """INSERT INTO {schema}.dossier_log
            SELECT d.id, e.n - 1, e.entry->>'hash', e.entry FROM {schema}.dossiers AS d
            CROSS JOIN LATERAL jsonb_array_elements(d.doc->'log') WITH ORDINALITY AS e (entry, n)
            WHERE e.entry->>'hash' IS NOT NULL""",
    ),
)

_COLUMNS = (
    "owner", "receipt_number", "applicant_id_number", "agency", "status", "service",
    "submitted_at", "submitted_day", "created_at", "appointment_date",
)
_NEWEST_FIRST = sql.SQL("ORDER BY created_at DESC, id DESC")
# query_page's agencies: those asked for, or every agency in the table, found by walking the
# inbox index from one agency to the next (a dozen index probes rather than a scan of it all).
_AGENCIES_LISTED = "SELECT DISTINCT unnest(%(agencies)s::text[])"
_AGENCIES_IN_TABLE = (
    "(SELECT agency FROM {table} ORDER BY agency LIMIT 1) UNION ALL"
    " SELECT (SELECT t.agency FROM {table} AS t WHERE t.agency > a.agency ORDER BY t.agency LIMIT 1)"
    " FROM agencies AS a WHERE a.agency IS NOT NULL"
)


class DuplicateReceipt(DuplicateDossier):
    """Another dossier has this receipt number (a UNIQUE column here)."""


class PostgresStore:
    """A DossierRepository (engine.repository) in PostgreSQL; see the module docstring.

    Opening it creates or migrates its table in ``db``'s schema."""

    def __init__(self, db: Database) -> None:
        db.migrate("dossiers", MIGRATIONS)
        self.db = db
        self._keeps_log = len(MIGRATIONS) >= 3  # dossier_log (a test may open the tables of an older version)
        self._table = DocumentTable(db, "dossiers", _COLUMNS, DossierNotFound, "dossier")
        self._get = self._table.sql("SELECT doc::text FROM {table} WHERE id = %s")
        self._by_receipt = self._table.sql("SELECT doc::text FROM {table} WHERE receipt_number = %s")
        log = sql.Identifier(db.schema, "dossier_log")
        self._log_insert = sql.SQL(
            "INSERT INTO {} (dossier_id, position, hash, entry)"
            " SELECT %s, p, h, e FROM unnest(%s::integer[], %s::text[], %s::jsonb[]) AS l (p, h, e)"
            " ON CONFLICT (dossier_id, position) DO NOTHING"
        ).format(log)
        self._log_copy = sql.SQL("COPY {} (dossier_id, position, hash, entry) FROM STDIN").format(log)
        self._log_anchor = sql.SQL(
            "SELECT hash FROM {} WHERE dossier_id = %s ORDER BY position DESC LIMIT 1"
        ).format(log)

    # -- reading ------------------------------------------------------------------------

    def get(self, dossier_id: str) -> Dossier | None:
        if not is_id(dossier_id):
            return None
        return self._one(self._get, [dossier_id])

    def find_by_receipt(self, receipt_number: str) -> Dossier | None:
        return self._one(self._by_receipt, [receipt_number])

    def list_by_owner(self, owner: str, statuses: Iterable[Status] | None = None) -> list[Dossier]:
        where = [sql.SQL("owner = %s")]
        params: list[Any] = [owner]
        if statuses is not None:
            where.append(sql.SQL("status = ANY(%s)"))
            params.append(_texts(statuses))
        return self._all(self._select(where, _NEWEST_FIRST), params)

    def owner_page(self, owner: str, *, status: Status | None = None, offset: int = 0, limit: int) -> OwnerPage:
        # One statement (one round trip, one snapshot): a row per state with its count, then
        # the page's documents, read from the index dossiers_owner in its order.
        check_range(offset, limit)
        # The page's rows are numbered in their order, and the rows sorted by that number
        # (counts first): UNION ALL by itself promises no order.
        statement = self._table.sql(
            "SELECT status, count(*), NULL::bigint AS position, NULL AS doc FROM {table}"
            " WHERE owner = %(owner)s GROUP BY status"
            " UNION ALL SELECT NULL, NULL, row_number() OVER (ORDER BY p.created_at DESC, p.id DESC), p.doc"
            " FROM (SELECT created_at, id, doc::text AS doc FROM {table} WHERE owner = %(owner)s"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s) AS p"
            " ORDER BY position NULLS FIRST")
        params = {"owner": owner, "status": status.value if status else None, "limit": limit, "offset": offset}
        with self.db.connection() as conn:
            rows = conn.execute(statement, params).fetchall()
        counts = {state: count for state, count, _, doc in rows if doc is None}
        return OwnerPage(counts={s: counts.get(s.value, 0) for s in Status}, offset=offset,
                         items=tuple(Dossier.from_json_text(doc) for *_, doc in rows if doc is not None))

    def list_by_id_number(self, id_number: str) -> list[Dossier]:
        return self._all(self._select([sql.SQL("applicant_id_number = %s")], _NEWEST_FIRST), [id_number])

    def query(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
        service: str | None = None,
        submitted_from: dt.date | None = None,
        submitted_to: dt.date | None = None,
    ) -> list[Dossier]:
        where, params = _filters(agencies, statuses, service, submitted_from, submitted_to)
        return self._all(self._select(where, sql.SQL("ORDER BY {}").format(_order_by("submitted"))), params)

    def facts(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Facts]:
        # Only the keys the facts read leave the server, as one small JSON object per row,
        # read by the same engine.facts.facts_from_json as the embedded store's.
        where, params = _filters(agencies, statuses, None, None, None)
        statement = self._table.sql(
            "SELECT jsonb_build_object('service', service, 'status', status, 'method', doc->'method',"
            " 'submitted_at', doc->'submitted_at', 'accepted_at', doc->'accepted_at',"
            " 'completed_at', doc->'completed_at', 'appointment_date', doc->'appointment_date',"
            " 'rating', doc->'rating')::text FROM {table} WHERE {where}",
            where=sql.SQL(" AND ").join(where))
        with self.db.connection() as conn:
            rows = conn.execute(statement, params).fetchall()
        return [facts_from_json(json.loads(text)) for (text,) in rows]

    def query_page(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
        service: str | None = None,
        submitted_from: dt.date | None = None,
        submitted_to: dt.date | None = None,
        order: Order = "submitted",
        offset: int = 0,
        limit: int,
    ) -> Page:
        check_page(order, offset, limit)
        statement, params = self._page_statement(agencies, statuses, service, submitted_from, submitted_to,
                                                 order, offset, limit)
        with self.db.connection() as conn:
            rows = conn.execute(statement, params).fetchall()
        items = tuple(Dossier.from_json_text(doc) for _, doc in rows if doc is not None)  # None: an empty page
        return Page(total=rows[0][0], offset=offset, items=items)

    def _page_statement(
        self, agencies: Iterable[str] | None, statuses: Iterable[Status] | None, service: str | None,
        submitted_from: dt.date | None, submitted_to: dt.date | None, order: Order, offset: int, limit: int,
    ) -> tuple[sql.Composed, dict[str, Any]]:
        """query_page's statement and its parameters (also timed on its own by bench/pg_inbox.py)."""
        where, params = _filters(agencies, statuses, service, submitted_from, submitted_to)
        rest, _ = _filters(None, None, service, submitted_from, submitted_to)  # within a range
        # The total and the page in one statement (one snapshot). The total adds up the
        # matching groups of dossier_counts (migration 2). The page is merged from one index
        # range per (agency, state): each range is in the page's order already
        # (dossiers_inbox_by_appointment), so each gives its first offset + limit entries
        # without sorting the rest, and only those are sorted; the documents are read for
        # the page's ids alone. An agency-less query (an administrator's) takes the agencies
        # from the index (_AGENCIES_IN_TABLE); a state-less one, every state there is.
        statement = self._table.sql(
            "WITH RECURSIVE agencies (agency) AS ({agencies})"
            " SELECT c.total, d.doc::text FROM (SELECT COALESCE(sum(dossiers), 0)::bigint AS total FROM {counts}"
            " WHERE {where}) AS c"
            " LEFT JOIN LATERAL (SELECT r.* FROM agencies AS a"
            " CROSS JOIN (SELECT DISTINCT unnest(%(states)s::text[])) AS s (status)"
            " CROSS JOIN LATERAL (SELECT id, appointment_date, submitted_at, created_at FROM {table}"
            " WHERE agency = a.agency AND status = s.status AND {rest} ORDER BY {order} LIMIT %(reach)s) AS r"
            " WHERE a.agency IS NOT NULL"
            " ORDER BY {range_order} LIMIT %(limit)s OFFSET %(offset)s) AS p ON true"
            " LEFT JOIN {table} AS d ON d.id = p.id"
            " ORDER BY {page_order}",
            agencies=self._table.sql(_AGENCIES_LISTED if agencies is not None else _AGENCIES_IN_TABLE),
            counts=sql.Identifier(self.db.schema, "dossier_counts"),
            where=sql.SQL(" AND ").join(where), rest=sql.SQL(" AND ").join(rest),
            order=_order_by(order), range_order=_order_by(order, "r"), page_order=_order_by(order, "p"),
        )
        params = {
            **params, "agencies": params.get("agencies", []),
            "states": params.get("statuses", _texts(Status)),  # None: every state there is
            # Each range's reach, capped at a bigint (offset and limit may each be MAX_ROW).
            "limit": limit, "offset": offset, "reach": min(offset + limit, MAX_ROW),
        }
        return statement, params

    def count(self) -> int:
        return self._table.count()

    def log_anchor(self, dossier_id: str) -> str | None:
        """The last hash of the dossier's log as the insert-only ``dossier_log`` keeps it
        (None when it keeps no sealed entry of it); see operations.log_audit."""
        if not self._keeps_log:
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._log_anchor, [dossier_id]).fetchone()
        return row[0] if row is not None else None

    def _select(self, where: list[sql.Composable], tail: sql.Composable) -> sql.Composed:
        return self._table.sql(
            "SELECT doc::text FROM {table} WHERE {where} {tail}", where=sql.SQL(" AND ").join(where), tail=tail
        )

    def _one(self, statement: sql.Composable, params: Any) -> Dossier | None:
        with self.db.connection() as conn:
            row = conn.execute(statement, params).fetchone()
        return Dossier.from_json_text(row[0]) if row is not None else None

    def _all(self, statement: sql.Composable, params: Any) -> list[Dossier]:
        with self.db.connection() as conn:
            rows = conn.execute(statement, params).fetchall()
        return [Dossier.from_json_text(doc) for (doc,) in rows]

    # -- writing ------------------------------------------------------------------------

    def add(self, dossier: Dossier) -> Dossier:
        stored = dossier.model_copy(update={"version": 1})
        row = _row(stored)  # a malformed id is refused before reaching the database
        with self.db.connection() as conn, _mapped_violations(), conn.transaction():
            conn.execute(self._table.insert, row)
            self._append_log(conn, stored)
        return stored

    def bulk_add(self, dossiers: Iterable[Dossier]) -> list[Dossier]:
        """Add many new dossiers (seeding) in one transaction: all or nothing, including
        when an id is malformed, repeated or stored, or a receipt number is taken."""
        stored = [d.model_copy(update={"version": 1}) for d in dossiers]
        rows = [_row(d) for d in stored]
        if len({d.id for d in stored}) != len(stored):
            raise DuplicateDossier("the same dossier id appears twice")
        columns = self._table.columns
        with self.db.connection() as conn, _mapped_violations(), conn.transaction():
            with conn.cursor().copy(self._table.copy) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            if self._keeps_log:
                with conn.cursor().copy(self._log_copy) as copy:
                    for dossier in stored:
                        for position, entry in _sealed(dossier):
                            copy.write_row([dossier.id, position, entry.hash, entry.model_dump_json()])
        return stored

    def update(self, dossier: Dossier) -> Dossier:
        if not is_id(dossier.id):
            raise DossierNotFound(dossier.id)
        after = dossier.model_copy(update={"version": dossier.version + 1})
        with self.db.connection() as conn, _mapped_violations(), conn.transaction():
            self._table.update(conn, _row(after), dossier.version)
            self._append_log(conn, after)
        return after

    def _append_log(self, conn: psycopg.Connection[Any], dossier: Dossier) -> None:
        """The dossier's sealed entries not in ``dossier_log`` yet, in the caller's transaction."""
        sealed = _sealed(dossier) if self._keeps_log else []
        if sealed:
            conn.execute(self._log_insert, [dossier.id, [p for p, _ in sealed], [e.hash for _, e in sealed],
                                            [e.model_dump_json() for _, e in sealed]])

    def delete(self, dossier_id: str, version: int) -> None:
        self._table.delete(dossier_id, version)


def _sealed(dossier: Dossier) -> list[tuple[int, LogEntry]]:
    return [(position, entry) for position, entry in enumerate(dossier.log) if entry.hash is not None]


def _row(dossier: Dossier) -> dict[str, Any]:
    """The table's columns for ``dossier``. Empty keys are NULL, as the TinyDB store
    indexes no empty receipt or ID number."""
    if not is_id(dossier.id):
        raise ValueError(f"not a dossier id (16 lower-case hex digits): {dossier.id!r}")
    submitted = dossier.submitted_at
    return {
        "id": dossier.id,
        "version": dossier.version,
        "owner": dossier.owner,
        "receipt_number": dossier.receipt_number or None,
        "applicant_id_number": dossier.applicant_id_number or None,
        "agency": dossier.agency,
        "status": str(dossier.status),
        "service": dossier.service,
        "submitted_at": aware(submitted),
        "submitted_day": submitted.date() if submitted is not None else None,  # in its own offset
        "created_at": aware(dossier.created_at),
        "appointment_date": dossier.appointment_date,
        "doc": dossier.model_dump_json(),
    }


def _order_by(order: str, alias: str | None = None) -> sql.Composed:
    """engine.repository's orders, over the columns of ``alias`` (or unqualified).

    "submitted": submitted dossiers by the instant, then the others by creation;
    "appointment": by appointment date (none last), then "submitted". Both end with the id."""

    def column(name: str) -> sql.Identifier:
        return sql.Identifier(alias, name) if alias else sql.Identifier(name)

    submitted = sql.SQL("({} IS NULL), COALESCE({}, {}), {}").format(
        column("submitted_at"), column("submitted_at"), column("created_at"), column("id")
    )
    if order == "appointment":
        return sql.SQL("{} ASC NULLS LAST, {}").format(column("appointment_date"), submitted)
    return submitted


def _texts(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values]


def _filters(
    agencies: Iterable[str] | None,
    statuses: Iterable[Status] | None,
    service: str | None,
    submitted_from: dt.date | None,
    submitted_to: dt.date | None,
) -> tuple[list[sql.Composable], dict[str, Any]]:
    """The WHERE conditions (joined by AND) and their named parameters. None is any
    value; an empty list matches nothing (``= ANY('{}')`` is false)."""
    where: list[sql.Composable] = [sql.SQL("true")]
    params: dict[str, Any] = {}
    if agencies is not None:
        where.append(sql.SQL("agency = ANY(%(agencies)s)"))
        params["agencies"] = _texts(agencies)
    if statuses is not None:
        where.append(sql.SQL("status = ANY(%(statuses)s)"))
        params["statuses"] = _texts(statuses)
    if service is not None:
        where.append(sql.SQL("service = %(service)s"))
        params["service"] = service
    if submitted_from is not None:
        where.append(sql.SQL("submitted_day >= %(submitted_from)s"))
        params["submitted_from"] = submitted_from
    if submitted_to is not None:
        where.append(sql.SQL("submitted_day <= %(submitted_to)s"))
        params["submitted_to"] = submitted_to
    return where, params


@contextmanager
def _mapped_violations() -> Iterator[None]:
    """Turns the unique violations of a write into the repository's errors."""
    try:
        yield
    except psycopg.errors.UniqueViolation as error:
        constraint, detail = error.diag.constraint_name, error.diag.message_detail or ""
        if constraint == "dossiers_pkey":
            raise DuplicateDossier(f"dossier already exists: {detail}") from error
        if constraint == "dossiers_receipt_number_key":
            raise DuplicateReceipt(f"another dossier has this receipt number: {detail}") from error
        raise
