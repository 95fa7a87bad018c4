"""What one uncached ``/metrics`` dossier figure costs: the count of every status
(web/metrics.py, one ``query_page(statuses=[s], limit=0)`` total per status) on a store of
``--size`` dossiers, beside the anchor measured in the same run: the clerk's first inbox page
(``query_page`` by appointment, 20 dossiers, any status), which every clerk loads.

    .venv/bin/python bench/metrics.py --size 100000 --runs 5
    .venv/bin/python bench/metrics.py --backend postgres --size 100000 --runs 5

The TinyDB store is seeded with ``bulk_add`` under bench/data/ (git-ignored); PostgreSQL in a
schema of its own of --database-url's database, dropped afterwards. Prints the median over
--runs of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.storage.factories when run as a script

from engine.dossier import Status  # noqa: E402
from engine.repository import DossierRepository  # noqa: E402
from tests.storage.factories import make_dossier  # noqa: E402


def status_counts(store: DossierRepository) -> dict[str, int]:
    return {s.value: store.query_page(statuses=[s], limit=0).total for s in Status}  # as web.metrics does


def inbox_page(store: DossierRepository) -> object:
    return store.query_page(order="appointment", limit=20)


def _median_ms(fn, store, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(store)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=["tinydb", "postgres"], default="tinydb")
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    rng = random.Random(13)
    dossiers = [make_dossier(rng) for _ in range(args.size)]
    if args.backend == "tinydb":
        from storage.tinydb_store import TinyDBStore

        data = ROOT / "bench" / "data"
        data.mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=data))
        try:
            store = TinyDBStore(folder / "store")
            store.bulk_add(dossiers)
            _report(store, args)
        finally:
            shutil.rmtree(folder)
    else:
        import psycopg
        from psycopg import sql

        from storage.postgres import Database
        from storage.postgres_store import PostgresStore

        schema = f"bench_metrics_{rng.randrange(16**8):08x}"
        try:
            with Database(args.database_url, schema=schema) as db:
                store = PostgresStore(db)
                store.bulk_add(dossiers)
                with db.connection() as conn:
                    conn.execute(db.sql("VACUUM ANALYZE {schema}.dossiers"))
                _report(store, args)
        finally:
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _report(store: DossierRepository, args: argparse.Namespace) -> None:
    inbox_page(store), status_counts(store)  # warm: a long-running worker's read cache
    counts = _median_ms(status_counts, store, args.runs)
    anchor = _median_ms(inbox_page, store, args.runs)
    print(f"| {args.backend}, {args.size:,} dossiers | {counts:.1f} | {anchor:.1f} | {counts / anchor:.1f}× |")


if __name__ == "__main__":
    main()
