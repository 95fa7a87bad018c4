"""Form rendering and parsing speed for the household business form.

Median time, in one run, to render the form empty, filled with the sample, and with
errors; to parse a browser's submission; and to parse and validate it.

    .venv/bin/python bench/forms.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.browser_form, for a real submission

from engine.catalog import Catalog  # noqa: E402
from engine.forms import parse_form  # noqa: E402
from renderers.html import render_form  # noqa: E402
from tests.browser_form import submit  # noqa: E402


def median_ms(fn, repeats: int, seconds: float = 0.5) -> float:
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.1:
        fn()
        n += 1
    batch = max(1, int(n * seconds / 0.1))
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        runs.append((time.perf_counter() - start) / batch)
    return statistics.median(runs) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    schema, sample = service.form_schema, service.sample
    broken = copy.deepcopy(sample)
    broken["owner"]["idNumber"] = "12345"
    del broken["business"]["phone"]
    broken["capital"] = 5
    errors = service.validate(broken)
    posted = submit(str(render_form(schema, sample)))
    assert parse_form(schema, posted) == sample

    cases = {
        "render, empty": lambda: render_form(schema),
        "render, filled (sample)": lambda: render_form(schema, sample),
        f"render, with {len(errors)} errors": lambda: render_form(schema, broken, errors),
        "parse a submission": lambda: parse_form(schema, posted, strict=True),
        "parse and validate a submission": lambda: service.validate(parse_form(schema, posted, strict=True)),
    }
    print(f"Python {platform.python_version()}, {platform.machine()}, median of {args.repeats} runs; "
          f"{len(posted)} posted fields, {len(str(render_form(schema, sample))) // 1024} KB of HTML\n")
    print("| case | median ms |")
    print("|---|---:|")
    for name, fn in cases.items():
        print(f"| {name} | {median_ms(fn, args.repeats):.2f} |")


if __name__ == "__main__":
    main()
