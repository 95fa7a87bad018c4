"""What the desk's statistics cost (web/statistics.py): computing the figures (the facts of
every dossier of the desk read from the store's JSON, engine.facts, then ``figures`` and
``monthly_figures`` in one pass each) in a fresh worker and again after a dossier changed,
beside the anchor of the same run (every dossier listed and parsed, as before), and what a
page costs while the computed figures are kept (the check that no dossier changed state:
one ``query_page(limit=0)`` total per desk state).

    .venv/bin/python bench/stats.py                       # 50,000 dossiers, TinyDB
    .venv/bin/python bench/stats.py --size 5000 --runs 3  # a quick check

The store is seeded under bench/data/ and removed afterwards; a fifth of the dossiers
with a result carry a rating. Prints a Markdown table of medians over --runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.dossier import Rating, Status  # noqa: E402
from engine.facts import facts_of  # noqa: E402
from engine.stats import figures, monthly_figures  # noqa: E402
from engine.workflow import WORKFLOW  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.factories import make_dossier  # noqa: E402

TODAY = dt.date(2026, 12, 1)


def _dossier(n: int):
    rng = random.Random(n)
    dossier = make_dossier(rng)
    if dossier.status in (Status.DONE, Status.RETURNED) and rng.random() < 0.2:
        dossier = dossier.model_copy(update={"rating": Rating(score=rng.randint(1, 5), at=dossier.updated_at)})
    return dossier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = ROOT / "bench" / "data" / f"stats-{secrets.token_hex(4)}"
    try:
        store = TinyDBStore(path)
        store.bulk_add(_dossier(n) for n in range(args.size))
        states = list(WORKFLOW.desk_order)
        listed = store.query(statuses=states)  # warm: TinyDB's read cache
        counted = len(listed)
        facts = [facts_of(d) for d in listed]
        del listed
        rng = random.Random(1)

        def touch() -> None:  # a dossier changes state: its shard is read again at the next query
            dossier = store.query_page(statuses=[Status.PROCESSING], offset=rng.randrange(50), limit=1).items[0]
            store.update(dossier)

        def parse_all(repo):  # before engine.facts: every dossier listed and parsed
            everything = [facts_of(d) for d in repo.query(statuses=states)]
            return figures(everything, TODAY), monthly_figures(everything, TODAY)

        def read_facts(repo):
            everything = repo.facts(statuses=states)
            return figures(everything, TODAY), monthly_figures(everything, TODAY)

        def kept():
            return tuple(store.query_page(statuses=[s], limit=0).total for s in states)

        read_facts(store)
        rows = [
            ("a fresh worker (the store just opened), every dossier parsed: the anchor",
             lambda: parse_all(TinyDBStore(path)), None),
            ("a fresh worker, the facts read from the shards' JSON", lambda: read_facts(TinyDBStore(path)), None),
            ("a worker after a dossier changed, every dossier parsed: the anchor", lambda: parse_all(store), touch),
            ("a worker after a dossier changed, the facts (one shard read again)", lambda: read_facts(store), touch),
            ("of which `figures` and `monthly_figures`",
             lambda: (figures(facts, TODAY), monthly_figures(facts, TODAY)), None),
            ("kept: the check of the counts per state", kept, None),
        ]
        print(f"| the statistics, {args.size:,} dossiers ({counted:,} at the desk), TinyDB | median ms |")
        print("|---|---:|")
        # Interleaved, so that a change in the machine's load falls on every row alike.
        samples: dict[str, list[float]] = {name: [] for name, _, _ in rows}
        for _ in range(args.runs):
            for name, task, before in rows:
                if before:
                    before()
                started = time.perf_counter()
                task()
                samples[name].append((time.perf_counter() - started) * 1000)
        for name, _, _ in rows:
            print(f"| {name} | {statistics.median(samples[name]):.1f} |")
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
