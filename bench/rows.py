"""What a long list costs: the household business form and its printed dossier with many rows.

A posted form may carry up to ``engine.bounds.MAX_ROWS`` rows (more are dropped when it is
parsed); a stored dossier at most its list's ``maxItems``, which lint keeps under
``engine.bounds.MAX_LISTED_ROWS``. Median of ``--repeats`` runs, in one run, beside
the sample's own two rows (the anchor): the form page shown again with its errors
(render), the parse of a browser's post with validation, and the PDF.

    .venv/bin/python bench/rows.py [--repeats 3] [--rows 2 30 200 2000]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.catalog import Catalog  # noqa: E402
from engine.clock import VIETNAM  # noqa: E402
from engine.dossier import Dossier  # noqa: E402
from engine.forms import parse_form  # noqa: E402
from renderers.html import render_form  # noqa: E402
from renderers.pdf import render_dossier_pdf  # noqa: E402
from tests.browser_form import submit  # noqa: E402


def median_s(fn, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="+", default=[2, 30, 200, 2000])
    args = parser.parse_args()
    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    now = dt.datetime(2026, 12, 2, 9, tzinfo=VIETNAM)
    render_dossier_pdf(service, Dossier(id="0" * 16, service=service.slug, agency="x", owner="o", applicant_name="A",
                                        data=service.sample, created_at=now, updated_at=now), None)  # warm up
    print(f"# {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, median of {args.repeats}")
    print("| rows | form shown again | parse + validate | PDF | PDF size |")
    print("|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        data = copy.deepcopy(service.sample)
        data["businessLines"] = [{"code": "5610", "name": f"Nhà hàng và dịch vụ ăn uống lưu động {i}"}
                                 for i in range(rows)]
        errors = service.validate(data)
        posted = submit(str(render_form(service.form_schema, data)))
        dossier = Dossier(id="0" * 16, service=service.slug, agency="x", owner="o", applicant_name="A", data=data,
                          created_at=now, updated_at=now)
        pdf = render_dossier_pdf(service, dossier, None)
        form = median_s(lambda: render_form(service.form_schema, data, errors), args.repeats)
        parse = median_s(lambda: service.validate(parse_form(service.form_schema, posted)), args.repeats)
        printed = median_s(lambda: render_dossier_pdf(service, dossier, None), args.repeats)
        print(f"| {rows} | {form * 1e3:.0f} ms | {parse * 1e3:.0f} ms | {printed:.2f} s | {len(pdf) // 1024} KB |")
    print(f"\nPeak memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
