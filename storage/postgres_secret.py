"""The signing key kept in PostgreSQL when the operator sets no DVC_SECRET_KEY: the first
node to start makes it, every node reads the same (see storage.secret)."""

from __future__ import annotations

from storage.postgres import Database
from storage.secret import new_key

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.secret_key (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            key text NOT NULL
        )""",
    ),
)


def database_key(db: Database) -> str:
    db.migrate("secret_key", MIGRATIONS)
    with db.connection() as conn:
        conn.execute(db.sql("INSERT INTO {schema}.secret_key (key) VALUES (%s) ON CONFLICT DO NOTHING"), [new_key()])
        return conn.execute(db.sql("SELECT key FROM {schema}.secret_key")).fetchone()[0]
