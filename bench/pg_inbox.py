"""The PostgreSQL clerk inbox before and after each of migration 2's changes, on one kept
schema, interleaved so that every variant sees the same machine:

    .venv/bin/python bench/store.py --backend postgres --sizes 1000000 --shared-size 0 --runs 1 --keep
    .venv/bin/python bench/pg_inbox.py dvc_bench_…     # the kept schema; drop it afterwards

Variants, each the first page of 20 by appointment (web/desk.py's inbox) for the same filters:

- before: migration 1's statement (count(*) and a sort of every match, on its ``dossiers_inbox``
  index), with the indexes of migration 1 only;
- ranges: the page merged from per-(agency, state) ranges of ``dossiers_inbox_by_appointment``,
  the total still count(*);
- counts: the same with the total summed from ``dossier_counts``, without the two indexes below;
- by day: ... with ``dossiers_inbox_by_day`` (inbox limited to some days);
- now: ... with ``dossier_counts_by_status`` (an administrator's total): the store as it is.

Everything runs in one transaction that is rolled back: migration 1's index is built in it
(half a minute at a million), and each variant drops the indexes it must not use inside a
savepoint, rolled back after it. Prints p50 / p99 in ms per filter and variant. With
``--writes N``, also N saves with and without the triggers that keep ``dossier_counts``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from engine.dossier import Status  # noqa: E402
from engine.workflow import WORKFLOW  # noqa: E402
from storage.postgres import Database, split_schema  # noqa: E402
from storage.postgres_store import PostgresStore, _filters, _order_by  # noqa: E402

OPEN = sorted(WORKFLOW.open, key=list(Status).index)
VARIANTS = {  # name: the indexes it must do without
    "before": ("dossiers_inbox_by_appointment", "dossiers_inbox_by_day", "dossier_counts_by_status"),
    "ranges": ("dossiers_inbox_by_day", "dossier_counts_by_status"),
    "counts": ("dossiers_inbox_by_day", "dossier_counts_by_status"),
    "by day": ("dossier_counts_by_status",),
    "now": (),
}


def _before(schema: str, filters: dict) -> tuple[sql.Composed, dict]:
    """Migration 1's query_page statement (storage/postgres_store.py before migration 2)."""
    where, params = _filters(filters.get("agencies"), filters.get("statuses"), filters.get("service"),
                             filters.get("submitted_from"), None)
    table = sql.Identifier(schema, "dossiers")
    statement = sql.SQL(
        "SELECT c.total, d.doc::text FROM (SELECT count(*) AS total FROM {table} WHERE {where}) AS c"
        " LEFT JOIN LATERAL (SELECT id, appointment_date, submitted_at, created_at FROM {table}"
        " WHERE {where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s) AS p ON true"
        " LEFT JOIN {table} AS d ON d.id = p.id"
        " ORDER BY {page_order}"
    ).format(table=table, where=sql.SQL(" AND ").join(where), order=_order_by("appointment"),
             page_order=_order_by("appointment", "p"))
    return statement, {**params, "limit": 20, "offset": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schema")
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--writes", type=int, default=0,
                        help="also time this many saves (updates changing the state) with and without"
                             " the counting triggers, alternating in blocks of 20")
    args = parser.parse_args()
    store = PostgresStore(Database(args.database_url, schema=args.schema, max_size=1))
    with psycopg.connect(split_schema(args.database_url)[0]) as conn:
        agencies = [a for (a,) in conn.execute(sql.SQL(
            "SELECT agency FROM {} GROUP BY agency ORDER BY count(*) DESC").format(
                sql.Identifier(args.schema, "dossiers")))]
        service = conn.execute(sql.SQL("SELECT min(service) FROM {} WHERE agency = %s").format(
            sql.Identifier(args.schema, "dossiers")), [agencies[1]]).fetchone()[0]
        last = conn.execute(sql.SQL("SELECT max(submitted_day) FROM {}").format(
            sql.Identifier(args.schema, "dossiers"))).fetchone()[0]
        cases = {
            "the largest agency, open states": {"agencies": agencies[:1], "statuses": OPEN},
            "the largest agency, every desk state": {"agencies": agencies[:1], "statuses": list(WORKFLOW.desk_order)},
            "the second agency, one state": {"agencies": agencies[1:2], "statuses": [Status.PROCESSING]},
            "the second agency, open states, one service": {"agencies": agencies[1:2], "statuses": OPEN,
                                                             "service": service},
            "the largest agency, open states, last 7 days": {"agencies": agencies[:1], "statuses": OPEN,
                                                              "submitted_from": last - dt.timedelta(days=6)},
            "every agency (administrator), open states": {"agencies": None, "statuses": OPEN},
        }
        statements = {}
        for case, filters in cases.items():
            now = store._page_statement(filters.get("agencies"), filters.get("statuses"), filters.get("service"),
                                        filters.get("submitted_from"), None, "appointment", 0, 20)
            counted = sql.SQL(now[0].as_string(conn).replace(
                sql.SQL("COALESCE(sum(dossiers), 0)::bigint AS total FROM {}").format(
                    sql.Identifier(args.schema, "dossier_counts")).as_string(conn),
                sql.SQL("count(*) AS total FROM {}").format(sql.Identifier(args.schema, "dossiers")).as_string(conn),
            ))
            statements[case] = {"before": _before(args.schema, filters), "ranges": (counted, now[1]),
                                "counts": now, "by day": now, "now": now}
        samples: dict[tuple[str, str], list[float]] = {(c, v): [] for c in cases for v in VARIANTS}
        print("building migration 1's dossiers_inbox in the transaction...", file=sys.stderr)
        conn.execute(sql.SQL("CREATE INDEX dossiers_inbox ON {} (agency, status, appointment_date, submitted_at,"
                             " created_at, id)").format(sql.Identifier(args.schema, "dossiers")))
        for _ in range(args.repeats):
            for variant, without in VARIANTS.items():
                conn.execute("SAVEPOINT variant")
                for index in without:
                    conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(args.schema, index)))
                for case in cases:
                    statement, params = statements[case][variant]
                    start = time.perf_counter_ns()
                    rows = conn.execute(statement, params).fetchall()
                    samples[case, variant].append((time.perf_counter_ns() - start) / 1e6)
                    assert len(rows) >= 1
                conn.execute("ROLLBACK TO SAVEPOINT variant")
        conn.rollback()
    print("| first page of 20 (ms, p50 / p99) | " + " | ".join(VARIANTS) + " |")
    print("|---|" + "---:|" * len(VARIANTS))
    for case in cases:
        cells = []
        for variant in VARIANTS:
            values = samples[case, variant]
            cells.append(f"{statistics.median(values):.2f} / {statistics.quantiles(values, n=100)[98]:.2f}")
        print(f"| {case} | " + " | ".join(cells) + " |")
    if args.writes:
        _writes(store, args.database_url, args.schema, args.writes)


def _writes(store: PostgresStore, url: str, schema: str, count: int) -> None:
    """Saves with and without dossier_counts' triggers, each committed (a WAL flush each); the
    counts are rebuilt afterwards, since the saves without triggers did not keep them."""
    table = sql.Identifier(schema, "dossiers")
    with psycopg.connect(split_schema(url)[0], autocommit=True) as conn:
        ids = [i for (i,) in conn.execute(sql.SQL("SELECT id FROM {} TABLESAMPLE SYSTEM (1) LIMIT %s").format(table),
                                          [count])]
        samples: dict[str, list[float]] = {"with triggers": [], "without": []}
        for block in range(0, len(ids), 20):
            for variant in ("without", "with triggers"):
                switch = "ENABLE" if variant == "with triggers" else "DISABLE"
                conn.execute(sql.SQL(f"ALTER TABLE {{}} {switch} TRIGGER USER").format(table))
                for dossier_id in ids[block : block + 20]:
                    current = store.get(dossier_id)
                    state = Status.DONE if current.status != Status.DONE else Status.RETURNED
                    start = time.perf_counter_ns()
                    store.update(current.model_copy(update={"status": state}))
                    samples[variant].append((time.perf_counter_ns() - start) / 1e6)
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(table))
        with conn.transaction():
            counts = sql.Identifier(schema, "dossier_counts")
            conn.execute(sql.SQL("DELETE FROM {}").format(counts))
            conn.execute(sql.SQL("INSERT INTO {} SELECT agency, status, service, submitted_day, count(*) FROM {}"
                                 " GROUP BY 1, 2, 3, 4").format(counts, table))
    for variant, values in samples.items():
        print(f"save (update of the state), {variant}: {statistics.median(values):.2f} /"
              f" {statistics.quantiles(values, n=100)[98]:.2f} ms (p50 / p99, {len(values)} saves)")


if __name__ == "__main__":
    main()
