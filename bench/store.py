"""Latency of the embedded dossier store (storage.tinydb_store) against plain TinyDB, or
of the PostgreSQL store (storage.postgres_store) with ``--backend postgres``.

    .venv/bin/python bench/store.py                # the full run (a few minutes)
    .venv/bin/python bench/store.py --sizes 2000 --shared-size 2000 --plain-size 1000 --ops 100
    .venv/bin/python bench/store.py --backend postgres --sizes 10000 100000 --shared-size 50000
    .venv/bin/python bench/store.py --backend postgres --sizes 10000 1000000 --shared-size 0 --full-query-ops 3

TinyDB stores are seeded with bulk_add (tests.storage.factories' dossiers) into a temporary
directory under bench/data/ (git-ignored); PostgreSQL ones get a schema of their own in
--database-url's database, filled by COPY with a city's dossiers (CITY, below: a million in a
few minutes), then vacuumed and analysed. Both are removed afterwards (PostgreSQL: unless
--keep; --reuse measures a kept schema again). Every figure is a p50 / p99 in milliseconds over --ops operations,
then the median of that figure over --runs repetitions. Lookups run with a warm read cache,
as in a long-running worker; "open + first lookup" is a worker's first request.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.storage.factories when run as a script

from tinydb import Query, TinyDB  # noqa: E402

from engine.dossier import Dossier, Status  # noqa: E402
from engine.receipts import ALPHABET, _check_symbol  # noqa: E402
from engine.repository import DossierRepository  # noqa: E402
from engine.workflow import WORKFLOW  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.factories import ACCEPTED, VN, make_dossier  # noqa: E402

DATA = ROOT / "bench" / "data"
INBOX_PAGE = 20  # web/desk.py's PAGE_SIZE
FULL_QUERY_OPS = 20  # the whole inbox query, per run: 1 s each at 100,000 dossiers (--full-query-ops)
QUERY_OPS = 100  # its pages (query_page), per run
ROWS = [
    ("add", "add"),
    ("update (status only)", "update"),
    ("update (new receipt number)", "update_receipt"),
    ("lookup by receipt number (the public lookup)", "receipt"),
    ("lookup by ID number (list_by_id_number)", "id_number"),
    ("owner_page, a page of 10 (Quản lý hồ sơ)", "owner"),
    ("query: one agency, 2 statuses (clerk inbox)", "query"),
    ("inbox before: that query, sorted by appointment, 20 kept", "inbox_before"),
    ("inbox now: query_page by appointment, first page of 20", "page_first"),
    ("inbox now: query_page by appointment, a middle page of 20", "page_middle"),
    ("inbox, first page: the largest agency, open states (the desk's default)", "inbox_largest"),
    ("inbox, first page: the largest agency, every desk state", "inbox_largest_all"),
    ("inbox, first page: an agency, open states", "inbox_open"),
    ("inbox, first page: an agency, one state", "inbox_status"),
    ("inbox, first page: an agency, open states, one service", "inbox_service"),
    ("inbox, first page: an agency, open states, submitted in the last 7 days", "inbox_week"),
    ("inbox, first page: every agency (administrator), open states", "inbox_admin"),
    ("open + first lookup", "open"),
]


def _ms(ns: int) -> float:
    return ns / 1e6


def _timed(samples: list[float], fn, *args, **kwargs):
    start = time.perf_counter_ns()
    result = fn(*args, **kwargs)
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


# -- a city's dossiers, for the PostgreSQL store at a million ----------------------------------
#
# tests.storage.factories builds each dossier through the model (about 0.8 ms each: 14 min for a
# million), so the PostgreSQL backend writes the same documents as dicts straight to COPY, with
# the columns storage.postgres_store._row derives (checked against it on a sample, _check_rows).
# A city rather than the factories' three services: agencies of very different sizes (the
# largest holds about a third of the dossiers, the worst inbox), several services each, and a
# mature store's statuses: most dossiers handed back long ago, the open ones recent.
CITY: dict[str, tuple[str, ...]] = {  # agency: its services; agencies from the busiest down
    "UBND-Q1": ("dang-ky-thanh-lap-ho-kinh-doanh", "chung-thuc-ban-sao", "xac-nhan-tinh-trang-hon-nhan"),
    "UBND-P-BEN-NGHE": ("dang-ky-khai-sinh", "dang-ky-ket-hon", "dang-ky-khai-tu"),
    "CA-Q1": ("dang-ky-thuong-tru", "dang-ky-tam-tru", "xac-nhan-thong-tin-cu-tru"),
    "SXD-HCM": ("cap-giay-phep-xay-dung-nha-o-rieng-le", "cap-giay-phep-sua-chua-nha"),
    "UBND-P-BEN-THANH": ("dang-ky-khai-sinh-btn", "chung-thuc-chu-ky"),
    "STNMT-HCM": ("cap-giay-chung-nhan-quyen-su-dung-dat", "dang-ky-bien-dong-dat-dai"),
    "SKHDT-HCM": ("dang-ky-doanh-nghiep", "thay-doi-noi-dung-dang-ky-doanh-nghiep"),
    "SLDTBXH-HCM": ("tro-cap-that-nghiep", "cap-giay-phep-lao-dong"),
    "UBND-P-DA-KAO": ("dang-ky-khai-sinh-dk", "xac-nhan-cu-tru-dk"),
    "SYT-HCM": ("cap-chung-chi-hanh-nghe-kham-benh",),
    "SGTVT-HCM": ("cap-doi-giay-phep-lai-xe", "dang-ky-xe-may"),
    "SGDDT-HCM": ("cap-ban-sao-van-bang",),
}
_AGENCY_WEIGHTS = [1 / (rank + 1) for rank in range(len(CITY))]  # Zipf: 32 %, 16 %, 11 %, ...
_STATUS_WEIGHTS = {
    Status.DRAFT: 4, Status.CONFIRMED: 2, Status.SUBMITTED: 4, Status.PROCESSING: 7, Status.SUPPLEMENT: 2,
    Status.REJECTED: 4, Status.DONE: 7, Status.RETURNED: 70,
}
_RECENT = {Status.DRAFT, Status.CONFIRMED, Status.SUBMITTED, Status.PROCESSING, Status.SUPPLEMENT}
_CITY_START = dt.datetime(2024, 12, 1, 7, 30, tzinfo=VN)
_CITY_MINUTES = 2 * 365 * 24 * 60  # two years of dossiers; the open ones in the last 60 days
_RECENT_MINUTES = 60 * 24 * 60


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _receipt_number(rng: random.Random, day: dt.date) -> str:
    """engine.receipts.new_receipt_number's shape and check symbol, from ``rng``: ``secrets``
    costs a system call per symbol, a minute over a million dossiers."""
    body = "".join(rng.choices(ALPHABET, k=11))
    raw = f"{day:%y%m}{body}{_check_symbol(body)}"
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


# The fields _city_rows sets; the others come from a template dossier, serialized once.
_VARIABLE = ("id", "service", "agency", "owner", "applicant_id_number", "status", "receipt_number", "created_at",
             "updated_at", "confirmed_at", "submitted_at", "accepted_at", "appointment_date", "log", "version")


def _city_rows(rng: random.Random, count: int, owners: int) -> Iterator[dict[str, Any]]:
    """``count`` dossiers of the city: storage.postgres_store._row's columns, "doc" as JSON text."""
    templates = []  # the content (names, data, files) of 200 dossiers, as JSON text without braces
    for _ in range(200):
        doc = make_dossier(rng).to_json()
        constant = json.dumps({k: v for k, v in doc.items() if k not in _VARIABLE}, ensure_ascii=False)
        templates.append((constant[1:-1], doc["log"][0]))
    services = [(agency, service) for agency, listed in CITY.items() for service in listed]
    service_weights = list(itertools.accumulate(
        _AGENCY_WEIGHTS[list(CITY).index(agency)] / len(CITY[agency]) for agency, _ in services))
    statuses, status_weights = list(_STATUS_WEIGHTS), list(itertools.accumulate(_STATUS_WEIGHTS.values()))
    for _ in range(count):
        agency, service = rng.choices(services, cum_weights=service_weights)[0]
        status = rng.choices(statuses, cum_weights=status_weights)[0]
        span = _RECENT_MINUTES if status in _RECENT else _CITY_MINUTES
        created = _CITY_START + dt.timedelta(minutes=_CITY_MINUTES - rng.randrange(span))
        submitted = created + dt.timedelta(hours=2) if status not in (Status.DRAFT, Status.CONFIRMED) else None
        accepted = submitted + dt.timedelta(days=1) if status in ACCEPTED else None
        appointment = accepted.date() + dt.timedelta(days=rng.randrange(3, 30)) if accepted else None
        owner_number = rng.randrange(owners)
        owner = f"citizen-{owner_number}"
        # Most citizens apply for themselves (their own ID number), some for a relative.
        id_number = f"079{owner_number:09d}" if rng.random() < 0.85 else f"079{rng.randrange(10**9):09d}"
        constant, first_entry = rng.choice(templates)
        receipt = _receipt_number(rng, submitted.date()) if accepted else None
        log = [dict(first_entry, at=_iso(created), actor=owner)]
        if submitted:
            log.append(dict(first_entry, at=_iso(submitted), actor=owner, action="submit",
                            status_from="confirmed", status_to="submitted"))
        dossier_id = f"{rng.getrandbits(64):016x}"
        variable = json.dumps({
            "id": dossier_id, "service": service, "agency": agency, "owner": owner,
            "applicant_id_number": id_number, "status": str(status), "receipt_number": receipt,
            "created_at": _iso(created), "updated_at": _iso(accepted or submitted or created),
            "confirmed_at": _iso(created + dt.timedelta(minutes=5)) if submitted else None,
            "submitted_at": _iso(submitted), "accepted_at": _iso(accepted), "appointment_date": _iso(appointment),
            "log": log, "version": 1,
        }, ensure_ascii=False)
        yield {
            "id": dossier_id, "version": 1, "owner": owner, "receipt_number": receipt,
            "applicant_id_number": id_number, "agency": agency, "status": str(status), "service": service,
            "submitted_at": submitted, "submitted_day": submitted.date() if submitted else None,
            "created_at": created, "appointment_date": appointment,
            "doc": "{" + constant + ", " + variable[1:],
        }


def _check_rows(rows: list[dict[str, Any]]) -> None:
    """The generated rows are what the store itself would write for their dossiers."""
    from storage.postgres_store import _row

    for row in rows:
        expected = _row(Dossier.from_json_text(row["doc"]))
        assert {k: v for k, v in row.items() if k != "doc"} == {k: v for k, v in expected.items() if k != "doc"}, row


@dataclass
class Seeded:
    """What the runs pick from: the stored dossiers' keys, not the dossiers (a million of them
    would not fit in memory)."""

    ids: list[str]
    owners: list[str]
    id_numbers: list[str]
    receipts: dict[str, str]  # id → current receipt number, kept up to date by the runs
    services: dict[str, list[str]]  # agency → its services, agencies from the largest down
    last_day: dt.date  # the latest submission day

    @classmethod
    def of(cls, keys: Iterable[tuple[str, str, str | None, str | None, str, str, dt.date | None]]) -> Seeded:
        """From (id, owner, receipt number, ID number, agency, service, submission day) of each dossier."""
        seeded = cls([], [], [], {}, {}, dt.date.min)
        sizes: dict[str, int] = defaultdict(int)
        services: dict[str, set[str]] = defaultdict(set)
        for dossier_id, owner, receipt, id_number, agency, service, day in keys:
            seeded.ids.append(dossier_id)
            seeded.owners.append(owner)
            if id_number:
                seeded.id_numbers.append(id_number)
            if receipt:
                seeded.receipts[dossier_id] = receipt
            sizes[agency] += 1
            services[agency].add(service)
            if day and day > seeded.last_day:
                seeded.last_day = day
        seeded.services = {a: sorted(services[a]) for a in sorted(sizes, key=lambda a: (-sizes[a], a))}
        return seeded


class TinyDBBackend:
    """The embedded store in a temporary directory under bench/data/."""

    title = "store"

    def create(self) -> str:
        return tempfile.mkdtemp(prefix="store-", dir=DATA)

    def open(self, where: str) -> TinyDBStore:
        return TinyDBStore(where)

    def close(self, store: DossierRepository) -> None:
        pass

    def seed(self, where: str, size: int, rng: random.Random) -> Seeded:
        dossiers = _dossiers(rng, size, owners=max(size // 3, 1))  # ~3 dossiers per citizen
        store = self.open(where)
        store.bulk_add(dossiers)
        return Seeded.of((d.id, d.owner, d.receipt_number, d.applicant_id_number, d.agency, d.service,
                          d.submitted_at.date() if d.submitted_at else None) for d in dossiers)

    def remove(self, where: str) -> None:
        shutil.rmtree(where)


class PostgresBackend:
    """The PostgreSQL store in a schema of its own (the city's dossiers, by COPY), dropped
    afterwards unless ``keep``."""

    title = "PostgreSQL"

    def __init__(self, url: str, keep: bool = False) -> None:
        self.url = url
        self.keep = keep

    def create(self) -> str:
        return f"dvc_bench_{random.getrandbits(48):012x}"

    def open(self, where: str) -> DossierRepository:
        from storage.postgres import Database
        from storage.postgres_store import PostgresStore

        return PostgresStore(Database(self.url, schema=where, max_size=2))

    def close(self, store: DossierRepository) -> None:
        store.db.close()  # type: ignore[attr-defined]

    def _connect(self):
        import psycopg

        from storage.postgres import split_schema

        return psycopg.connect(split_schema(self.url)[0], autocommit=True)

    def seed(self, where: str, size: int, rng: random.Random) -> Seeded:
        from psycopg import sql

        store = self.open(where)  # the store makes its table (every migration)
        columns = store._table.columns  # type: ignore[attr-defined]
        self.close(store)
        sample: list[dict[str, Any]] = []
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(where, "dossiers"), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with self._connect() as conn, conn.transaction(), conn.cursor().copy(copy_sql) as copy:
            for i, row in enumerate(_city_rows(rng, size, owners=max(size // 3, 1))):
                if i % 997 == 0:
                    sample.append(row)
                copy.write_row([row[c] for c in columns])
        _check_rows(sample)
        with self._connect() as conn:
            # What autovacuum does after that many inserts: the planner's statistics, and the
            # visibility map that lets a count or a sort be answered from an index alone.
            for table in ("dossiers", "dossier_counts"):
                conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(where, table)))
        return self.keys(where)

    def keys(self, where: str) -> Seeded:
        from psycopg import sql

        with self._connect() as conn:
            return Seeded.of(conn.execute(sql.SQL(
                "SELECT id, owner, receipt_number, applicant_id_number, agency, service, submitted_day FROM {}"
            ).format(sql.Identifier(where, "dossiers"))))

    def remove(self, where: str) -> None:
        from psycopg import sql

        if self.keep:
            print(f"  kept schema {where}", file=sys.stderr)
            return
        with self._connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(where)))


def _backend(name: str, url: str, keep: bool = False) -> TinyDBBackend | PostgresBackend:
    return PostgresBackend(url, keep) if name == "postgres" else TinyDBBackend()


def _seed(backend, size: int, rng: random.Random) -> tuple[str, Seeded]:
    where = backend.create()
    start = time.perf_counter()
    try:
        seeded = backend.seed(where, size, rng)
    except BaseException:
        backend.remove(where)
        raise
    print(f"  seeded {size} dossiers in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return where, seeded


def _store_run(backend, where: str, seeded: Seeded, ops: int, full_query_ops: int,
               rng: random.Random) -> dict[str, list[float]]:
    """One run over a seeded store; ``seeded.receipts`` is kept up to date."""
    samples: dict[str, list[float]] = defaultdict(list)
    receipts = seeded.receipts
    receipt_list = list(receipts.values())
    for _ in range(min(ops, 50)):  # a fresh worker: nothing cached yet
        start = time.perf_counter_ns()
        fresh = backend.open(where)
        fresh.find_by_receipt(rng.choice(receipt_list))
        samples["open"].append(_ms(time.perf_counter_ns() - start))
        backend.close(fresh)
    store = backend.open(where)
    store.count()  # reads every shard: the warm cache of a long-running worker
    store.query(agencies=[])  # ... including the fields the inbox filters on
    for dossier in _dossiers(rng, ops, owners=len(seeded.ids) // 3):
        _timed(samples["add"], store.add, dossier)
    for dossier_id in rng.sample(seeded.ids, ops):
        current = store.get(dossier_id)
        _timed(samples["update"], store.update, current.model_copy(update={"status": Status.DONE}))
    for dossier_id in rng.sample(seeded.ids, ops):
        receipts[dossier_id] = f"{rng.randrange(10**15):015d}"
        current = store.get(dossier_id).model_copy(update={"receipt_number": receipts[dossier_id]})
        _timed(samples["update_receipt"], store.update, current)
    for dossier_id in rng.sample(list(receipts), ops):
        found = _timed(samples["receipt"], store.find_by_receipt, receipts[dossier_id])
        assert found is not None and found.id == dossier_id
    for number in rng.sample(seeded.id_numbers, ops):
        assert _timed(samples["id_number"], store.list_by_id_number, number)
    for owner in rng.sample(seeded.owners, ops):
        assert _timed(samples["owner"], store.owner_page, owner, limit=10).items
    agencies = list(seeded.services)
    inbox = [Status.SUBMITTED, Status.PROCESSING]
    open_ = sorted(WORKFLOW.open, key=list(Status).index)  # the desk's default filter
    week = seeded.last_day - dt.timedelta(days=6)
    for i in range(min(ops, QUERY_OPS)):
        # The inbox before and after, interleaved so that both see the same machine.
        agency = rng.choice(agencies)
        total = store.query_page(agencies=[agency], statuses=inbox, limit=0).total
        middle = (total // 2) // INBOX_PAGE * INBOX_PAGE
        if i < min(ops, full_query_ops):
            start = time.perf_counter_ns()
            found = store.query(agencies=[agency], statuses=inbox)
            samples["query"].append(_ms(time.perf_counter_ns() - start))
            page = sorted(found, key=_inbox_order)[:INBOX_PAGE]
            samples["inbox_before"].append(_ms(time.perf_counter_ns() - start))
        first = _timed(samples["page_first"], _inbox_page, store, [agency], inbox, 0)
        _timed(samples["page_middle"], _inbox_page, store, [agency], inbox, middle)
        if i == 0 and full_query_ops:
            assert list(first.items) == page and first.total == len(found) == total
        # The desk's other first pages (web/desk.py): its default filter (the open states),
        # one state, one service, the last week's submissions, an administrator's (every agency).
        _timed(samples["inbox_largest"], _inbox_page, store, agencies[:1], open_, 0)
        _timed(samples["inbox_largest_all"], _inbox_page, store, agencies[:1], list(WORKFLOW.desk_order), 0)
        _timed(samples["inbox_open"], _inbox_page, store, [agency], open_, 0)
        _timed(samples["inbox_status"], _inbox_page, store, [agency], [rng.choice(open_)], 0)
        _timed(samples["inbox_service"], _inbox_page, store, [agency], open_, 0,
               service=rng.choice(seeded.services[agency]))
        _timed(samples["inbox_week"], _inbox_page, store, [agency], open_, 0, submitted_from=week)
        _timed(samples["inbox_admin"], _inbox_page, store, None, open_, 0)
    backend.close(store)
    return samples


def _inbox_order(dossier: Dossier) -> tuple:
    """The order web/desk.py's inbox sorted query()'s dossiers by, before query_page."""
    return (dossier.appointment_date or dt.date.max, dossier.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC))


def _inbox_page(store: DossierRepository, agencies: list[str] | None, statuses: list[Status], offset: int,
                **filters):
    return store.query_page(agencies=agencies, statuses=statuses, order="appointment", offset=offset,
                            limit=INBOX_PAGE, **filters)


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
    backend_name: str, url: str, where: str, seeded: Seeded, ops: int, seed: int
) -> dict[str, list[float]]:
    """Two processes (two gunicorn workers), each adding and looking up at the same time."""
    receipts = list(seeded.receipts.values())
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
    parser.add_argument("--full-query-ops", type=int, default=FULL_QUERY_OPS,
                        help="whole inbox queries (query()) per run, the 'before' of query_page (0: skip)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["tinydb", "postgres"], default="tinydb",
                        help="postgres: the PostgreSQL store, in a schema of its own (plain TinyDB is skipped)")
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test", help="for --backend postgres")
    parser.add_argument("--keep", action="store_true", help="postgres: keep the seeded schemas (names printed)")
    parser.add_argument("--reuse", metavar="SCHEMA", action="append", default=[],
                        help="postgres: measure this kept schema instead of seeding one (repeatable; --sizes ignored)")
    args = parser.parse_args()
    backend = _backend(args.backend, args.database_url, args.keep)
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
    stores = [(None, size) for size in args.sizes] if not args.reuse else [(name, None) for name in args.reuse]
    sizes = []
    for reused, size in stores:
        if reused:
            where, seeded, remove = reused, backend.keys(reused), False
            size = len(seeded.ids)
        else:
            print(f"{backend.title} at {size}", file=sys.stderr)
            (where, seeded), remove = _seed(backend, size, rng), True
        sizes.append(size)
        try:
            runs = [_store_run(backend, where, seeded, args.ops, args.full_query_ops, rng) for _ in range(args.runs)]
        finally:
            if remove:
                backend.remove(where)
        columns.append((f"{backend.title}, {size:,}", _median_of_runs(runs)))
    if args.shared_size:
        print(f"{backend.title} at {args.shared_size}, two processes", file=sys.stderr)
        where, seeded = _seed(backend, args.shared_size, rng)
        try:
            runs = [_shared_run(args.backend, args.database_url, where, seeded, args.ops, seed)
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
    for size, (_, figures) in zip(sizes, columns[1 if args.plain_size else 0 :]):
        if "inbox_before" not in figures:
            continue
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
