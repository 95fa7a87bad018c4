"""Printing benchmark: the household business dossier as a PDF (renderers/pdf.py).

    .venv/bin/python bench/pdf.py                 # everything, medians of 3 runs
    .venv/bin/python bench/pdf.py --quick         # a smoke run

Measures, each in a fresh process so runs do not share caches:
  * cold: importing WeasyPrint, loading fonts and the stylesheet, the first render;
  * warm: median ms per render and per page, size of the PDF (PDF/A-3a, tagged, the dossier's
    JSON attached: renderers/pdf.py), and the same without the variant, tags and attachment;
  * memory: resident MB before and after N renders (after 50 to warm up) with the shared
    font configuration, and (for contrast) with a new FontConfiguration per render;
  * the same render with fontTools subsetting instead of HarfBuzz, and with
    one-sided dotted borders (the two slow paths the print CSS and Makefile avoid);
  * signing: the agency's PAdES signature (renderers/signing.py) on the dossier and on the
    receipt slip, median ms per document beside the unsigned render of the same run (a test
    CA and key made in a temporary folder; no timestamp, which adds the authority's round trip);
  * batch: dossiers per second through operations.printing with 1 and 2 processes
    (wall time from the call to the last file written, worker start-up included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _dossier(service, **changes):
    from tests.renderers.pdf_helpers import LOOKUP_URL, accepted_dossier

    return accepted_dossier(service, **changes), LOOKUP_URL


def _resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- measurements, each run in its own process ------------------------------------------------

def measure_render(repeats: int, variant: str) -> dict:
    started = time.perf_counter()
    import weasyprint  # noqa: F401

    imported = time.perf_counter()
    if variant == "fonttools":
        import weasyprint.pdf.fonts as fonts

        fonts.harfbuzz_subset = None  # as on a machine without libharfbuzz-subset0
    from engine.catalog import Catalog
    from renderers import pdf

    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    dossier, url = _dossier(service)
    html = pdf.render_dossier_html(service, dossier, url)
    attachments = [pdf.dossier_attachment(service, dossier)]
    if variant == "untagged":  # what the portal printed before issue 16: no PDF/A, no tags, no JSON
        pdf.PDF_VARIANT, attachments = None, []
    if variant == "dotted":
        html = html.replace("</head>", "<style>.kv dd { border-bottom: 1pt dotted #000 }</style></head>")
    ready = time.perf_counter()
    data = pdf.html_to_pdf(html, attachments)
    first = time.perf_counter()
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        data = pdf.html_to_pdf(html, attachments)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # what other jobs on the machine do not change
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(data)).pages)
    warm = statistics.median(times)
    return {
        "import_ms": (imported - started) * 1000,
        "cold_first_ms": (first - ready) * 1000,  # fonts, stylesheet and the first layout
        "cold_total_ms": (first - started) * 1000,
        "warm_ms": warm,
        "warm_cpu_ms": statistics.median(cpu),
        "pages": pages,
        "warm_ms_per_page": warm / pages,
        "bytes": len(data),
    }


def measure_memory(renders: int, variant: str) -> dict:
    from engine.catalog import Catalog
    from renderers import pdf

    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    dossier, url = _dossier(service)
    html = pdf.render_dossier_html(service, dossier, url)
    printer = pdf.printer()
    if variant == "fresh-font-config":
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from renderers.print_assets import PRINT_CSS

        css_text = PRINT_CSS.read_text(encoding="utf-8")

        def render() -> None:
            config = FontConfiguration()
            css = CSS(string=css_text, font_config=config, url_fetcher=printer.fetcher)
            HTML(string=html, url_fetcher=printer.fetcher).write_pdf(stylesheets=[css], font_config=config)
    else:
        def render() -> None:
            pdf.html_to_pdf(html)

    for _ in range(50):  # the allocator's and WeasyPrint's caches settle within ~50 renders
        render()
    before = _resident_mb()
    for _ in range(renders):
        render()
    after = _resident_mb()
    return {"renders": renders, "before_mb": before, "after_mb": after,
            "growth_mb_per_100": (after - before) / renders * 100}


def measure_signing(repeats: int) -> dict:
    from engine.catalog import Catalog
    from renderers import pdf
    from renderers.signing import load_key, sign_pdf
    from tests.renderers.signing_helpers import AGENCY, PASSPHRASE, make_pki

    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    dossier, url = _dossier(service)
    with tempfile.TemporaryDirectory() as folder:
        pki = make_pki(Path(folder))
        key = load_key(AGENCY, pki.p12.read_bytes(), PASSPHRASE.encode())
    documents = {"dossier": lambda: pdf.render_dossier_pdf(service, dossier, url),
                 "receipt": lambda: pdf.render_receipt_pdf(service, dossier, "Lê Văn Hùng", url)}
    result = {}
    for name, render in documents.items():
        sign_pdf(render(), key, "Bản in hồ sơ", "Vị Thanh")  # fonts, pyHanko's imports: not counted
        rendered, signed, signed_cpu = [], [], []
        for _ in range(repeats):
            t = time.perf_counter()
            data = render()
            t1, c1 = time.perf_counter(), time.process_time()
            out = sign_pdf(data, key, "Bản in hồ sơ", "Vị Thanh")
            t2, c2 = time.perf_counter(), time.process_time()
            rendered.append((t1 - t) * 1000)
            signed.append((t2 - t1) * 1000)
            signed_cpu.append((c2 - c1) * 1000)  # CPU time: what other jobs on the machine do not change
        result[name] = {"render_ms": statistics.median(rendered), "sign_ms": statistics.median(signed),
                        "sign_cpu_ms": statistics.median(signed_cpu), "bytes": len(data), "signed_bytes": len(out)}
    return result


def measure_batch(count: int, jobs: int) -> dict:
    from engine.catalog import Catalog
    from engine.dossier import new_id
    from operations.printing import print_dossiers

    service = Catalog.load()["dang-ky-thanh-lap-ho-kinh-doanh"]
    dossiers = [_dossier(service, id=new_id())[0] for _ in range(count)]
    import resource

    def cpu() -> float:
        return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                     resource.getrusage(resource.RUSAGE_CHILDREN)))

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as out:
        started, cpu_started = time.perf_counter(), cpu()
        result = print_dossiers(dossiers, Path(out), jobs=jobs)
        elapsed, cpu_used = time.perf_counter() - started, cpu() - cpu_started
    assert result.printed == count and not result.failed, result.failed[:3]
    # CPU time (parent and workers, start-up included) does not depend on other jobs on the machine.
    return {"dossiers": count, "jobs": jobs, "seconds": elapsed, "per_second": count / elapsed,
            "cpu_ms_per_dossier": cpu_used / count * 1000, "load": load}


def _in_child(kind: str, *args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, *map(str, args)], check=True,
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20, help="warm renders per run")
    parser.add_argument("--memory-renders", type=int, default=300)
    parser.add_argument("--batch", type=int, default=200, help="dossiers per batch run")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", default="render,memory,signing,batch", help="comma-separated subset to run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "render":
            result = measure_render(int(rest[0]), rest[1])
        elif kind == "memory":
            result = measure_memory(int(rest[0]), rest[1])
        elif kind == "signing":
            result = measure_signing(int(rest[0]))
        else:
            result = measure_batch(int(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return

    if args.quick:
        args.runs, args.repeats, args.memory_renders, args.batch = 1, 5, 30, 30

    from weasyprint import __version__ as weasyprint_version
    from weasyprint.text.ffi import harfbuzz_subset

    print(f"# {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"WeasyPrint {weasyprint_version}, HarfBuzz subsetting {'on' if harfbuzz_subset else 'OFF'}, "
          f"load average {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    parts = set(args.parts.split(","))
    if "render" in parts:
        _report_render(args)
    if "memory" in parts:
        _report_memory(args)
    if "signing" in parts:
        _report_signing(args)
    if "batch" in parts:
        _report_batch(args)


def _report_render(args) -> None:
    rows = []
    for variant, label in [("plain", "household dossier (PDF/A-3a, tagged, JSON attached)"),
                           ("untagged", "… as a plain PDF (no variant, tags or attachment)"),
                           ("fonttools", "… with fontTools subsetting"),
                           ("dotted", "… with dotted bottom borders")]:
        runs = [_in_child("render", args.repeats, variant)
                for _ in range(args.runs if variant in ("plain", "untagged") else 1)]
        rows.append((label, runs))
    print("\n| case | cold first render ms | warm ms | warm CPU ms | pages | warm ms/page | KB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, runs in rows:
        print(f"| {label} | {_median(runs, 'cold_first_ms'):.0f} | {_median(runs, 'warm_ms'):.0f} | "
              f"{_median(runs, 'warm_cpu_ms'):.0f} | "
              f"{_median(runs, 'pages'):.0f} | {_median(runs, 'warm_ms_per_page'):.0f} | "
              f"{_median(runs, 'bytes') / 1024:.1f} |")
    plain = rows[0][1]
    print(f"\nimport weasyprint: {_median(plain, 'import_ms'):.0f} ms; new process to first PDF: "
          f"{_median(plain, 'cold_total_ms'):.0f} ms")


def _report_memory(args) -> None:
    print("\n| memory over renders | renders | resident before MB | after MB | growth per 100 renders MB |")
    print("|---|---:|---:|---:|---:|")
    for variant, label in [("shared", "one FontConfiguration per process"),
                           ("fresh-font-config", "a new FontConfiguration per render")]:
        renders = args.memory_renders if variant == "shared" else max(args.memory_renders // 3, 30)
        m = _in_child("memory", renders, variant)
        print(f"| {label} | {m['renders']} | {m['before_mb']:.1f} | {m['after_mb']:.1f} | {m['growth_mb_per_100']:.2f} |")


def _report_signing(args) -> None:
    repeats = max(args.repeats // 2, 5)  # at least 5 documents of each kind per run
    runs = [_in_child("signing", repeats) for _ in range(args.runs)]
    print(f"\n| signing (median of {repeats} per run, {args.runs} runs) | unsigned render ms | signing ms | "
          "signing CPU ms | signing / render | KB unsigned | KB signed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, label in [("dossier", "household dossier"), ("receipt", "receipt slip")]:
        render = statistics.median(r[name]["render_ms"] for r in runs)
        sign = statistics.median(r[name]["sign_ms"] for r in runs)
        cpu = statistics.median(r[name]["sign_cpu_ms"] for r in runs)
        print(f"| {label} | {render:.0f} | {sign:.1f} | {cpu:.1f} | {sign / render:.0%} | "
              f"{statistics.median(r[name]['bytes'] for r in runs) / 1024:.1f} | "
              f"{statistics.median(r[name]['signed_bytes'] for r in runs) / 1024:.1f} |")


def _report_batch(args) -> None:
    print("\n| batch | dossiers | median s | dossiers per second | CPU ms per dossier | load average at start |")
    print("|---|---:|---:|---:|---:|---:|")
    for jobs in (1, 2):
        runs = [_in_child("batch", args.batch, jobs) for _ in range(args.runs)]
        print(f"| {jobs} process{'es' if jobs > 1 else ''} | {args.batch} | {_median(runs, 'seconds'):.1f} | "
              f"{_median(runs, 'per_second'):.1f} | {_median(runs, 'cpu_ms_per_dossier'):.0f} | "
              f"{_median(runs, 'load'):.2f} |")


if __name__ == "__main__":
    main()
