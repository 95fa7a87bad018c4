"""The outbox in PostgreSQL: one table every node's senders share (see engine.outbox).

A sender claims the oldest message due with ``SELECT … FOR UPDATE SKIP LOCKED`` inside a
transaction that stays open while the SMTP conversation lasts, and deletes the row in
the same transaction once the server accepted it. Other senders skip the locked row; if
the node dies mid-send its connection drops, PostgreSQL rolls the transaction back and
the row is free again for the next sender (one gap remains, as in any SMTP client: a
node killed between the server's acceptance and the commit; the message then goes
again, with the same Message-ID). A failed attempt is counted and the message waits out
its backoff in ``not_before``, so a message whose recipient's server is down does not
hold back the others; one refused for good (5xx) is kept with ``refused_at`` set.

A table with ``SKIP LOCKED`` rather than a task queue (Procrastinate, RQ, Huey): the
outbox then lives in the database the portal already needs, a message is written in
the same place and way as the dossier it is about, and nodes need no other server.
"""

from __future__ import annotations

from engine.outbox import Backoff, Delivery, Refused, Transport
from storage.postgres import Database

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.mail_outbox (
            id bigserial PRIMARY KEY,
            raw bytea NOT NULL,
            queued_at timestamptz NOT NULL DEFAULT now(),
            attempts integer NOT NULL DEFAULT 0,
            not_before timestamptz NOT NULL DEFAULT now(),
            refused_at timestamptz
        )""",
        "CREATE INDEX mail_outbox_due ON {schema}.mail_outbox (not_before, id) WHERE refused_at IS NULL",
    ),
)


class PostgresOutbox:
    def __init__(self, db: Database) -> None:
        db.migrate("mail", MIGRATIONS)
        self.db = db
        self._put = db.sql("INSERT INTO {schema}.mail_outbox (raw) VALUES (%s)")
        self._next = db.sql(
            "SELECT id, raw, attempts FROM {schema}.mail_outbox WHERE refused_at IS NULL AND (%s OR not_before <= now())"
            " ORDER BY not_before, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        self._sent = db.sql("DELETE FROM {schema}.mail_outbox WHERE id = %s")
        self._failed = db.sql(
            "UPDATE {schema}.mail_outbox SET attempts = attempts + 1,"
            " not_before = now() + make_interval(secs => %s) WHERE id = %s"
        )
        self._refused = db.sql("UPDATE {schema}.mail_outbox SET refused_at = now() WHERE id = %s")
        self._depth = db.sql("SELECT count(*) FROM {schema}.mail_outbox WHERE refused_at IS NULL")

    def put(self, raw: bytes) -> None:
        with self.db.connection() as conn:
            conn.execute(self._put, [raw])

    def depth(self) -> int:
        with self.db.connection() as conn:
            return conn.execute(self._depth).fetchone()[0]

    def deliver_next(self, transport: Transport, backoff: Backoff, *, force: bool = False) -> Delivery:
        with self.db.connection() as conn, conn.transaction():
            row = conn.execute(self._next, [force]).fetchone()
            if row is None:
                return Delivery.NONE
            message_id, raw, attempts = row
            try:
                transport(bytes(raw))
            except Refused:
                conn.execute(self._refused, [message_id])
                return Delivery.REFUSED
            except Exception:
                conn.execute(self._failed, [backoff(attempts + 1), message_id])
                return Delivery.FAILED
            conn.execute(self._sent, [message_id])
            return Delivery.SENT
