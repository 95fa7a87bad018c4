"""What parsing stored dossiers costs a full listing (``query``: the CSV export, the
statistics), with pydantic parsing the JSON text (``Dossier.from_json_text``, the stores'
way now) against ``json.loads`` then ``Dossier.from_json`` (their way before), in the
same run on the same stores, the two ways alternating.

    .venv/bin/python bench/parse.py                       # 10,000 dossiers, both backends
    .venv/bin/python bench/parse.py --size 2000 --runs 3  # a quick check

TinyDB is seeded under bench/data/ and PostgreSQL in a schema of its own in
--database-url's database; both are removed afterwards. Prints a Markdown table of the
median time of ``query()`` (every dossier of the store) over --runs repetitions.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from engine.dossier import Dossier  # noqa: E402
from storage.postgres import Database  # noqa: E402
from storage.postgres_store import PostgresStore  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.factories import make_dossier  # noqa: E402


def _before(raw: str | bytes) -> Dossier:
    return Dossier.from_json(json.loads(raw))


@contextmanager
def _tinydb(size: int) -> Iterator[TinyDBStore]:
    path = ROOT / "bench" / "data" / f"parse-{secrets.token_hex(4)}"
    try:
        store = TinyDBStore(path)
        store.bulk_add(make_dossier(random.Random(n)) for n in range(size))
        yield store
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _postgres(size: int, url: str) -> Iterator[PostgresStore]:
    schema = f"bench_parse_{secrets.token_hex(4)}"
    try:
        with Database(url, schema=schema) as db:
            store = PostgresStore(db)
            store.bulk_add(make_dossier(random.Random(n)) for n in range(size))
            yield store
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _time(listing: Callable[[], list[Dossier]]) -> float:
    started = time.perf_counter()
    listing()
    return (time.perf_counter() - started) * 1000


def _compare(store, runs: int) -> tuple[float, float]:
    store.query()  # warm: TinyDB's read cache, PostgreSQL's buffers
    before, now = [], []
    for _ in range(runs):
        with mock.patch.object(Dossier, "from_json_text", staticmethod(_before)):
            before.append(_time(store.query))
        now.append(_time(store.query))
    return statistics.median(before), statistics.median(now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"| `query()`, {args.size:,} dossiers (median ms) | before | now | before / now |")
    print("|---|---:|---:|---:|")
    with _tinydb(args.size) as store:
        before, now = _compare(store, args.runs)
        print(f"| TinyDB | {before:.1f} | {now:.1f} | {before / now:.2f}× |")
    with _postgres(args.size, args.database_url) as store:
        before, now = _compare(store, args.runs)
        print(f"| PostgreSQL | {before:.1f} | {now:.1f} | {before / now:.2f}× |")


if __name__ == "__main__":
    main()
