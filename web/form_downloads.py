""""Tải về các biểu mẫu": a service's blank form, to print and fill by hand, and its sample
dossier (hồ sơ mẫu), as PDFs.

WeasyPrint takes 0.1-0.5 s a PDF, and a service version's forms never change, so each is
rendered once and kept in this process, by the service version (the very ``Service``
object: a catalogue swapped after a publish keeps the objects of the services it did not
change, and a new version is a new object) and kind; the least recently used go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, current_app

from engine.catalog import Catalog, Service

SIZE = 64  # PDFs: two a service; a PDF is 20-60 KB


def _blank(service: Service) -> bytes:
    from renderers.pdf import render_blank_pdf  # WeasyPrint and Pango: imported by the first download

    return render_blank_pdf(service)


def _sample(service: Service) -> bytes:
    from renderers.pdf import render_sample_pdf

    return render_sample_pdf(service)


# kind -> (the file name's ending, the renderer)
KINDS: dict[str, tuple[str, Callable[[Service], bytes]]] = {
    "blank": ("bieu-mau", _blank),
    "sample": ("ho-so-mau", _sample),
}


def offers_forms(catalog: Catalog, service: Service) -> bool:
    """Whether the service page offers the downloads: a service of level 2 or 3 that has a
    form and still takes new dossiers (level 1 is information only)."""
    return service.info.level >= 2 and service.has_form and catalog.offered(service.slug)


def filename(service: Service, kind: str) -> str:
    """An ASCII name (slugs are lower-case ASCII and hyphens)."""
    return f"{service.slug}-{KINDS[kind][0]}.pdf"


class FormPdfs:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._pdfs: OrderedDict[tuple[Service, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, service: Service, kind: str) -> bytes:
        key = (service, kind)
        with self._lock:
            data = self._pdfs.get(key)
            if data is not None:
                self._pdfs.move_to_end(key)
                return data
        data = KINDS[kind][1](service)  # outside the lock: the printer has its own
        with self._lock:
            self._pdfs[key] = data
            while len(self._pdfs) > self.size:
                self._pdfs.popitem(last=False)
        return data

    def __len__(self) -> int:
        return len(self._pdfs)


def init_app(app: Flask) -> None:
    app.extensions["form_pdfs"] = FormPdfs()


def pdf(service: Service, kind: str) -> bytes:
    return current_app.extensions["form_pdfs"].get(service, kind)
