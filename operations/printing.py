"""Batch printing for clerks: many dossiers to PDF, in worker processes.

``print_dossiers`` renders each dossier with :func:`renderers.pdf.render_dossier_pdf`
in ``jobs`` processes (spawned: a clean interpreter each, with its own WeasyPrint
font configuration, never a forked copy of the caller's), writes one PDF per dossier
(``<id>.pdf``) or, with ``merge``, one PDF of them all in the given order. A dossier
that fails (unknown service, data that breaks rendering, a crashed worker) is reported
with its id and reason, and the batch goes on.

Given the registry of issued documents (``issuer``), each PDF written is issued as the
desk's prints are (operations.documents.issue): a verification code reserved for it (one
for the merged file, printed on each of its dossiers), rendered with the code and its QR
code, signed with the agency's key when it has one (a merged file of several agencies':
unsigned), and its hash recorded under the code. The workers render; the caller signs,
writes and records.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.catalog import DEFAULT_ROOT, DefinitionError, Service, load_folders, load_published
from engine.clock import system_clock
from engine.documents import PRINTED, DocumentRegistry, IssuedDocument
from engine.dossier import Dossier
from storage.definitions import DefinitionStore, PublishedVersion


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)  # one per dossier, or the merged file
    failed: list[tuple[str, str]] = field(default_factory=list)  # (dossier id, reason)
    printed: int = 0  # dossiers rendered


PRINTED_TITLE = "Bản in hồ sơ"  # as the desk's print records it (web.desk)


@dataclass(frozen=True)
class Issuer:
    """Where the printed PDFs are recorded, and how they are signed (web.signing.signer)."""

    documents: DocumentRegistry
    sign: Callable[[bytes, str, str], bytes]  # (pdf, agency, reason) -> the PDF signed, or as it was
    now: Callable[[], Any] = system_clock


@dataclass(frozen=True)
class _Job:
    schemas_root: str
    definitions: str | None  # published versions (instance/definitions: storage.definitions), if any
    versions: tuple[tuple[str, int], ...]  # (service, version) of the batch: a worker loads only these
    out_dir: str
    base_url: str
    keep_bytes: bool  # merging: the PDF comes back to the parent instead of a file


# -- in each worker ---------------------------------------------------------------------------

_services: dict[tuple[str, int], Service] = {}
_job: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _services, _job
    from renderers.pdf import printer

    _job = job
    _services = _load_versions(job)
    printer()  # fonts and stylesheet loaded before the first dossier


def _load_versions(job: _Job) -> dict[tuple[str, int], Service]:
    """Each dossier prints with the version of its service it was created with: a
    published one from the definitions folder, else the built-in definition (version 1).
    A definition that does not load is left out: its dossiers fail, the others print."""
    root = Path(job.schemas_root)
    found: dict[tuple[str, int], Service] = {}
    builtin = [slug for slug, number in job.versions if "/" not in slug and (root / slug).is_dir()]
    services, _problems = load_folders([root / slug for slug in dict.fromkeys(builtin)], root)
    found.update({(s.slug, 1): s for s in services})
    wanted = set(job.versions)
    for version in _published(job.definitions):
        key = (version.slug, version.number)
        if key in wanted:
            try:
                found[key] = load_published(version.folder, version.slug, version.number)
            except DefinitionError:
                found.pop(key, None)
    return found


def _published(definitions: str | None) -> list[PublishedVersion]:
    """Every published version in ``definitions``; none when there is no such folder
    (the store is not opened then: it would create the folder)."""
    if not definitions or not Path(definitions).is_dir():
        return []
    return DefinitionStore(definitions).versions()


Rendered = tuple[str, str | None, bytes | None, str | None, tuple[str, str]]


def _render_one(raw: dict[str, Any], code: str = "") -> Rendered:
    """(dossier id, file written, PDF bytes when merging or issuing, error, (agency code, name))
    for one stored dossier, printed with verification ``code`` if given."""
    from renderers.pdf import Verification, lookup_url_for, render_dossier_pdf

    assert _job is not None
    dossier_id = str(raw.get("id", "?"))
    try:
        dossier = Dossier.from_json(raw)
        service = _services.get((dossier.service, dossier.service_version))
        if service is None:
            raise LookupError(f"không có dịch vụ {dossier.service!r} trong danh mục (hoặc định nghĩa của nó có lỗi)")
        url = lookup_url_for(_job.base_url, dossier.receipt_number) if dossier.receipt_number else None
        data = render_dossier_pdf(service, dossier, url, Verification.of(_job.base_url, code) if code else None)
    except Exception as exc:  # reported by id; the batch goes on
        return dossier_id, None, None, f"{type(exc).__name__}: {exc}"[:500], ("", "")
    agency = (service.info.agency.code, service.info.agency.name)
    if _job.keep_bytes:
        return dossier_id, None, data, None, agency
    return dossier_id, str(_write(Path(_job.out_dir) / f"{dossier.id}.pdf", data)), None, None, agency


# -- in the caller ----------------------------------------------------------------------------

def print_dossiers(
    dossiers: Iterable[Dossier],
    out_dir: Path,
    *,
    jobs: int = 2,
    merge: bool = False,
    base_url: str = "http://127.0.0.1:5000",
    schemas_root: Path = DEFAULT_ROOT,
    definitions: Path | None = None,
    on_done: Callable[[str, str | None], None] | None = None,
    issuer: Issuer | None = None,
) -> BatchResult:
    """Print ``dossiers``; ``on_done(id, error or None)`` is called as each one finishes. With
    ``issuer``, each file written is issued: printed with its code, signed, recorded."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raws = [d.to_json() for d in dossiers]
    versions = tuple(sorted({(str(r.get("service")), int(r.get("service_version") or 1)) for r in raws}))
    job = _Job(str(schemas_root), str(definitions) if definitions else None, versions, str(out_dir), base_url,
               keep_bytes=merge or issuer is not None)
    # The codes, reserved before rendering: one per file (the merged file's on each of its dossiers).
    shared = issuer.documents.reserve_code() if issuer and merge and raws else ""
    codes = {str(r.get("id")): shared or (issuer.documents.reserve_code() if issuer else "") for r in raws}
    result = BatchResult()
    pdfs: dict[str, bytes] = {}
    agencies: dict[str, str] = {}

    def record(dossier_id: str, path: str | None, data: bytes | None, error: str | None,
               agency: tuple[str, str] = ("", "")) -> None:
        if error is None and issuer is not None and not merge and data is not None:
            try:
                path, data = str(_issue_one(issuer, out_dir, dossier_id, data, agency, codes[dossier_id])), None
            except Exception as exc:  # signing or recording failed: no file, reported by id
                error = f"{type(exc).__name__}: {exc}"[:500]
        if error is not None:
            result.failed.append((dossier_id, error))
        else:
            result.printed += 1
            agencies[agency[0]] = agency[1]
            if path:
                result.written.append(Path(path))
            if data is not None:
                pdfs[dossier_id] = data
        if on_done:
            on_done(dossier_id, error)

    work = [(raw, codes[str(raw.get("id"))]) for raw in raws]
    if jobs <= 1:
        _init_worker(job)
        for raw, code in work:
            record(*_render_one(raw, code))
    else:
        _run_pool(work, job, jobs, record)

    if merge and pdfs:
        ids = [r["id"] for r in raws if r["id"] in pdfs]
        merged = _merged([pdfs[i] for i in ids])
        if issuer is not None:
            merged = _issued(issuer, merged, ",".join(ids), agencies, shared, sign=len(agencies) == 1)
        result.written.append(_write(out_dir / f"ho-so-{system_clock():%Y%m%d-%H%M%S}.pdf", merged))
    return result


def _issue_one(issuer: Issuer, out_dir: Path, dossier_id: str, data: bytes, agency: tuple[str, str],
               code: str) -> Path:
    return _write(out_dir / f"{dossier_id}.pdf", _issued(issuer, data, dossier_id, dict([agency]), code, sign=True))


def _issued(issuer: Issuer, pdf: bytes, dossier_ids: str, agencies: dict[str, str], code: str, *,
            sign: bool) -> bytes:
    """``pdf`` (printed with ``code``) signed by its agency when ``sign`` and it has a key, recorded."""
    agency = ",".join(sorted(agencies))
    served = issuer.sign(pdf, agency, PRINTED_TITLE) if sign else pdf
    issuer.documents.add(IssuedDocument(
        sha256=hashlib.sha256(served).hexdigest(), kind=PRINTED, title=PRINTED_TITLE, dossier_id=dossier_ids,
        agency=agency, agency_name=", ".join(agencies[a] for a in sorted(agencies)), issued_at=issuer.now(),
        signed=served != pdf, code=code))
    return served


def _run_pool(work: list[tuple[dict, str]], job: _Job, jobs: int, record) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, max(len(work), 1)), mp_context=context,
                             initializer=_init_worker, initargs=(job,)) as pool:
        pending = {pool.submit(_render_one, raw, code): raw["id"] for raw, code in work}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                dossier_id = pending.pop(future)
                try:
                    record(*future.result())
                except BrokenProcessPool:
                    record(dossier_id, None, None, "tiến trình in bị dừng đột ngột")
                except Exception as exc:
                    record(dossier_id, None, None, f"{type(exc).__name__}: {exc}"[:500])


def _merged(pdfs: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        writer.append(io.BytesIO(data))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _write(path: Path, data: bytes) -> Path:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    temp.replace(path)
    return path
