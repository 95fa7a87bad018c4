"""Latency of the embedded dossier store (storage.tinydb_store) against plain TinyDB, or
of the PostgreSQL store (storage.postgres_store) with ``--backend postgres``.

    .venv/bin/python bench/store.py                # the full run (a few minutes)
    .venv/bin/python bench/store.py --sizes 2000 --shared-size 2000 --plain-size 1000 --ops 100
    .venv/bin/python bench/store.py --backend postgres --sizes 10000 100000 --shared-size 50000

Stores are seeded with bulk_add into a temporary directory under bench/data/ (git-ignored),
or a schema of their own in --database-url's database (then vacuumed and analysed), and
removed afterwards. Every figure is a p50 / p99 in milliseconds over --ops operations,
then the median of that figure over --runs repetitions. Lookups run with a warm read cache,
as in a long-running worker; "open + first lookup" is a worker's first request.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.storage.factories when run as a script

from tinydb import Query, TinyDB  # noqa: E402

from engine.dossier import Dossier, Status  # noqa: E402
from engine.repository import DossierRepository  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.factories import ACCEPTED, make_dossier  # noqa: E402

DATA = ROOT / "bench" / "data"
INBOX_PAGE = 20  # web/desk.py's PAGE_SIZE
FULL_QUERY_OPS = 20  # the whole inbox query, per run: 1 s each at 100,000 dossiers
QUERY_OPS = 100  # its pages (query_page), per run
ROWS = [
    ("add", "add"),
    ("update (status only)", "update"),
    ("update (new receipt number)", "update_receipt"),
    ("lookup by receipt number", "receipt"),
    ("list_by_owner", "owner"),
    ("query: one agency, 2 statuses (clerk inbox)", "query"),
    ("inbox before: that query, sorted by appointment, 20 kept", "inbox_before"),
    ("inbox now: query_page by appointment, first page of 20", "page_first"),
    ("inbox now: query_page by appointment, a middle page of 20", "page_middle"),
    ("open + first lookup", "open"),
]


def _ms(ns: int) -> float:
    return ns / 1e6


def _timed(samples: list[float], fn, *args):
    start = time.perf_counter_ns()
    result = fn(*args)
    samples.append(_ms(time.perf_counter_ns() - start))
    return result


def _p50_p99(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=100)[98]


def _dossiers(rng: random.Random, count: int, owners: int) -> list[Dossier]:
    dossiers = [make_dossier(rng, owner=f"citizen-{rng.randrange(owners)}") for _ in range(count)]
    for i, d in enumerate(dossiers):  # the desk gave the accepted ones an appointment
        if d.status in ACCEPTED:
            appointment = d.submitted_at.date() + dt.timedelta(days=rng.randrange(3, 30))
            dossiers[i] = d.model_copy(update={"appointment_date": appointment})
    return dossiers


class TinyDBBackend:
    """The embedded store in a temporary directory under bench/data/."""

    title = "store"

    def create(self) -> str:
        return tempfile.mkdtemp(prefix="store-", dir=DATA)

    def open(self, where: str) -> TinyDBStore:
        return TinyDBStore(where)

    def close(self, store: DossierRepository) -> None:
        pass

    def seeded(self, where: str) -> None:
        pass

    def remove(self, where: str) -> None:
        shutil.rmtree(where)


class PostgresBackend:
    """The PostgreSQL store in a schema of its own, dropped afterwards."""

    title = "PostgreSQL"

    def __init__(self, url: str) -> None:
        self.url = url

    def create(self) -> str:
        return f"dvc_bench_{random.getrandbits(48):012x}"

    def open(self, where: str) -> DossierRepository:
        from storage.postgres import Database
        from storage.postgres_store import PostgresStore

        return PostgresStore(Database(self.url, schema=where, max_size=2))

    def close(self, store: DossierRepository) -> None:
        store.db.close()  # type: ignore[attr-defined]

    def _execute(self, statement) -> None:
        import psycopg

        from storage.postgres import split_schema

        with psycopg.connect(split_schema(self.url)[0], autocommit=True) as conn:
            conn.execute(statement)

    def seeded(self, where: str) -> None:
        from psycopg import sql

        # What autovacuum does after that many inserts: the planner's statistics, and the
        # visibility map that lets a count or a sort be answered from an index alone.
        self._execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(where, "dossiers")))

    def remove(self, where: str) -> None:
        from psycopg import sql

        self._execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(where)))


def _backend(name: str, url: str) -> TinyDBBackend | PostgresBackend:
    return PostgresBackend(url) if name == "postgres" else TinyDBBackend()


def _seed(backend, size: int, rng: random.Random) -> tuple[str, list[Dossier]]:
    where = backend.create()
    dossiers = _dossiers(rng, size, owners=max(size // 3, 1))  # ~3 dossiers per citizen
    start = time.perf_counter()
    store = backend.open(where)
    try:
        store.bulk_add(dossiers)
    finally:
        backend.close(store)
    backend.seeded(where)
    print(f"  seeded {size} dossiers in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return where, dossiers


def _store_run(
    backend, where: str, dossiers: list[Dossier], receipts: dict[str, str], ops: int, rng: random.Random
) -> dict[str, list[float]]:
    """One run over a seeded store; ``receipts`` (id → current receipt number) is kept up to date."""
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(min(ops, 50)):  # a fresh worker: nothing cached yet
        start = time.perf_counter_ns()
        fresh = backend.open(where)
        fresh.find_by_receipt(rng.choice(list(receipts.values())))
        samples["open"].append(_ms(time.perf_counter_ns() - start))
        backend.close(fresh)
    store = backend.open(where)
    store.count()  # reads every shard: the warm cache of a long-running worker
    store.query(agencies=[])  # ... including the fields the inbox filters on
    for dossier in _dossiers(rng, ops, owners=len(dossiers) // 3):
        _timed(samples["add"], store.add, dossier)
    for dossier_id in rng.sample([d.id for d in dossiers], ops):
        current = store.get(dossier_id)
        _timed(samples["update"], store.update, current.model_copy(update={"status": Status.DONE}))
    for dossier_id in rng.sample([d.id for d in dossiers], ops):
        receipts[dossier_id] = f"{rng.randrange(10**15):015d}"
        current = store.get(dossier_id).model_copy(update={"receipt_number": receipts[dossier_id]})
        _timed(samples["update_receipt"], store.update, current)
    for number in rng.sample(list(receipts.values()), ops):
        found = _timed(samples["receipt"], store.find_by_receipt, number)
        assert found is not None
    owners = [d.owner for d in dossiers]
    for _ in range(ops):
        _timed(samples["owner"], store.list_by_owner, rng.choice(owners))
    agencies = sorted({d.agency for d in dossiers})
    inbox = [Status.SUBMITTED, Status.PROCESSING]
    for i in range(min(ops, QUERY_OPS)):
        # The inbox before and after, interleaved so that both see the same machine.
        agency = [rng.choice(agencies)]
        total = store.query_page(agencies=agency, statuses=inbox, limit=0).total
        middle = (total // 2) // INBOX_PAGE * INBOX_PAGE
        if i < min(ops, FULL_QUERY_OPS):
            start = time.perf_counter_ns()
            found = store.query(agencies=agency, statuses=inbox)
            samples["query"].append(_ms(time.perf_counter_ns() - start))
            page = sorted(found, key=_inbox_order)[:INBOX_PAGE]
            samples["inbox_before"].append(_ms(time.perf_counter_ns() - start))
        first = _timed(samples["page_first"], _inbox_page, store, agency, inbox, 0)
        _timed(samples["page_middle"], _inbox_page, store, agency, inbox, middle)
        if i == 0:
            assert list(first.items) == page and first.total == len(found) == total
    backend.close(store)
    return samples


def _inbox_order(dossier: Dossier) -> tuple:
    """The order web/desk.py's inbox sorted query()'s dossiers by, before query_page."""
    return (dossier.appointment_date or dt.date.max, dossier.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC))


def _inbox_page(store: DossierRepository, agency: list[str], statuses: list[Status], offset: int):
    return store.query_page(agencies=agency, statuses=statuses, order="appointment", offset=offset, limit=INBOX_PAGE)


def _shared_worker(
    backend_name: str, url: str, where: str, receipts: list[str], ops: int, seed: int, start_together
) -> dict[str, list[float]]:
    rng = random.Random(seed)
    store = _backend(backend_name, url).open(where)
    store.count()
    start_together.wait()
    samples: dict[str, list[float]] = defaultdict(list)
    for dossier in _dossiers(rng, ops, owners=10_000):
        _timed(samples["add"], store.add, dossier)
        _timed(samples["receipt"], store.find_by_receipt, rng.choice(receipts))
    # Resident memory now (ru_maxrss would report the parent's: it survives fork + exec).
    samples["rss_mb"] = [int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20]
    return dict(samples)


def _shared_run(
    backend_name: str, url: str, where: str, dossiers: list[Dossier], ops: int, seed: int
) -> dict[str, list[float]]:
    """Two processes (two gunicorn workers), each adding and looking up at the same time."""
    receipts = [d.receipt_number for d in dossiers if d.receipt_number]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start_together = manager.Barrier(2)
        with context.Pool(2) as pool:
            results = pool.starmap(
                _shared_worker,
                [(backend_name, url, where, receipts, ops, seed + i, start_together) for i in range(2)],
            )
    return {key: [x for result in results for x in result[key]] for key in results[0]}


def _plain_run(size: int, ops: int, rng: random.Random) -> dict[str, list[float]]:
    """Plain TinyDB: one file, default JSONStorage, every dossier in one table."""
    path = Path(tempfile.mkdtemp(prefix="plain-", dir=DATA))
    try:
        db = TinyDB(path / "db.json")
        dossiers = _dossiers(rng, size, owners=max(size // 3, 1))
        db.insert_multiple(d.to_json() for d in dossiers)
        receipts = [d.receipt_number for d in dossiers if d.receipt_number]
        samples: dict[str, list[float]] = defaultdict(list)
        for dossier in _dossiers(rng, ops, owners=size // 3):
            _timed(samples["add"], db.insert, dossier.to_json())
        for _ in range(ops):
            found = _timed(samples["receipt"], db.search, Query().receipt_number == rng.choice(receipts))
            assert found
        db.close()
        return samples
    finally:
        shutil.rmtree(path)


def _median_of_runs(runs: list[dict[str, list[float]]]) -> dict[str, tuple[float, float]]:
    figures = {}
    for key in runs[0]:
        per_run = [_p50_p99(run[key]) for run in runs if len(run[key]) > 1]
        if per_run:
            figures[key] = (statistics.median(p[0] for p in per_run), statistics.median(p[1] for p in per_run))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--shared-size", type=int, default=50_000, help="two processes at this size (0: skip)")
    parser.add_argument("--plain-size", type=int, default=10_000, help="plain TinyDB at this size (0: skip)")
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--plain-ops", type=int, default=50, help="plain TinyDB is slow: fewer operations")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["tinydb", "postgres"], default="tinydb",
                        help="postgres: the PostgreSQL store, in a schema of its own (plain TinyDB is skipped)")
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test", help="for --backend postgres")
    args = parser.parse_args()
    backend = _backend(args.backend, args.database_url)
    if args.backend == "postgres":
        args.plain_size = 0
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2025)
    columns: list[tuple[str, dict[str, tuple[float, float]]]] = []
    notes = []

    if args.plain_size:
        print(f"plain TinyDB at {args.plain_size}", file=sys.stderr)
        runs = [_plain_run(args.plain_size, args.plain_ops, rng) for _ in range(args.runs)]
        columns.append((f"plain TinyDB, {args.plain_size:,}", _median_of_runs(runs)))
    for size in args.sizes:
        print(f"{backend.title} at {size}", file=sys.stderr)
        where, dossiers = _seed(backend, size, rng)
        receipts = {d.id: d.receipt_number for d in dossiers if d.receipt_number}
        try:
            runs = [_store_run(backend, where, dossiers, receipts, args.ops, rng) for _ in range(args.runs)]
        finally:
            backend.remove(where)
        columns.append((f"{backend.title}, {size:,}", _median_of_runs(runs)))
    if args.shared_size:
        print(f"{backend.title} at {args.shared_size}, two processes", file=sys.stderr)
        where, dossiers = _seed(backend, args.shared_size, rng)
        try:
            runs = [_shared_run(args.backend, args.database_url, where, dossiers, args.ops, seed)
                    for seed in range(args.runs)]
        finally:
            backend.remove(where)
        columns.append((f"{backend.title}, {args.shared_size:,}, 2 processes", _median_of_runs(runs)))
        rss = statistics.median(x for run in runs for x in run["rss_mb"])
        cached = "with every shard in its read cache " if args.backend == "tinydb" else ""
        notes.append(f"Memory of a worker {cached}at {args.shared_size:,}: {rss:.0f} MB.")

    print("| operation (ms, p50 / p99) | " + " | ".join(title for title, _ in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for label, key in ROWS:
        cells = [f"{f[key][0]:.2f} / {f[key][1]:.2f}" if key in f else "" for _, f in columns]
        if any(cells):
            print(f"| {label} | " + " | ".join(cells) + " |")
    for size, (_, figures) in zip(args.sizes, columns[1 if args.plain_size else 0 :]):
        before = figures["inbox_before"]
        for label, key in [("first", "page_first"), ("middle", "page_middle")]:
            notes.append(
                f"At {size:,}, inbox before / query_page, {label} page: {before[0] / figures[key][0]:.0f}× (p50),"
                f" {before[1] / figures[key][1]:.0f}× (p99)."
            )
    if args.plain_size and args.plain_size in args.sizes:
        plain, store = columns[0][1], columns[1 + args.sizes.index(args.plain_size)][1]
        for label, key in [("add", "add"), ("lookup by receipt number", "receipt")]:
            notes.append(
                f"At {args.plain_size:,}, {label}: plain TinyDB / store = {plain[key][0] / store[key][0]:.0f}× (p50),"
                f" {plain[key][1] / store[key][1]:.0f}× (p99)."
            )
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
