"""Validation speed for the household business form (the user guide's example).

Measures, in one run: validate() of a valid dossier (the fast path), of an invalid
one (explained with Vietnamese messages), python-jsonschema alone with a reused
validator, and jsonschema.validate() (which re-checks the schema every call), so
the README records ratios measured together.

    .venv/bin/python bench/validation.py [--seconds 1.0] [--repeats 7]
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import time

import jsonschema

from engine.catalog import Catalog
from engine.validation import FORMAT_CHECKER, compile_schema


def per_call(fn, seconds: float, repeats: int) -> list[float]:
    """Seconds per call, one figure per repeat (each repeat runs ~`seconds`)."""
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.2:
        fn()
        n += 1
    batch = max(1, int(n * seconds / 0.2))
    results = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        results.append((time.perf_counter() - start) / batch)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    schema, valid = service.form_schema, service.sample
    invalid = copy.deepcopy(valid)
    invalid["owner"]["idNumber"] = "09318600452"
    invalid["business"].pop("phone")
    invalid["members"][0]["birthDate"] = "2099-01-01"
    invalid["capital"] = 5

    validator = compile_schema(schema)
    # 5: the future birth date also fails the ID number's century digit (x-id-number-matches).
    assert validator.validate(valid) == [] and len(validator.validate(invalid)) == 5
    py = validator._py  # python-jsonschema, compiled once, formats on
    cases = {
        "validate(), valid dossier": lambda: validator.validate(valid),
        "validate(), invalid dossier (5 errors, messages)": lambda: validator.validate(invalid),
        "python-jsonschema alone, reused validator, valid": lambda: py.is_valid(valid),
        "jsonschema.validate() per call, valid": lambda: jsonschema.validate(valid, schema, format_checker=FORMAT_CHECKER),
    }
    print(f"Python {platform.python_version()}, {platform.machine()}, median of {args.repeats} runs\n")
    print("| case | median µs per dossier | dossiers per second |")
    print("|---|---:|---:|")
    medians = {}
    for name, fn in cases.items():
        median = statistics.median(per_call(fn, args.seconds, args.repeats))
        medians[name] = median
        print(f"| {name} | {median * 1e6:,.1f} | {1 / median:,.0f} |")
    base = medians["validate(), valid dossier"]
    print()
    for name, value in medians.items():
        print(f"- {name}: {value / base:.1f}× the fast path")


if __name__ == "__main__":
    main()
