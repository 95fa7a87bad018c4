"""What the desk's statistics cost (web/statistics.py): computing the figures (every dossier
of the desk listed and parsed, then ``figures`` and ``monthly_figures`` in one pass each),
and what a page costs while the computed figures are kept (the check that no dossier
changed state: one ``query_page(limit=0)`` total per desk state).

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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.dossier import Rating, Status  # noqa: E402
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


def _median_ms(task: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        task()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


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
        computed = lambda: (figures(listed, TODAY), monthly_figures(listed, TODAY))  # noqa: E731

        def uncached():
            everything = store.query(statuses=states)
            return figures(everything, TODAY), monthly_figures(everything, TODAY)

        def kept():
            return tuple(store.query_page(statuses=[s], limit=0).total for s in states)

        print(f"| the statistics, {args.size:,} dossiers ({len(listed):,} at the desk), TinyDB | median ms |")
        print("|---|---:|")
        print(f"| computed: list and parse, `figures` and `monthly_figures` | {_median_ms(uncached, args.runs):.1f} |")
        print(f"| of which `figures` and `monthly_figures` on parsed dossiers | {_median_ms(computed, args.runs):.1f} |")
        print(f"| kept: the check of the counts per state | {_median_ms(kept, args.runs):.1f} |")
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
