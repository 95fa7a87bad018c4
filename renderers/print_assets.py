"""What WeasyPrint may load while printing: our own assets, under a private scheme, and nothing else.

The print stylesheet names its fonts ``dvc-print:fonts/<file>``; :class:`PrintFetcher`
serves exactly those files and refuses every other URL (http, https, file, data, ftp,
another ``dvc-print:`` path) without touching the network or the disk. The QR code is
inline SVG that the renderer itself produced, so nothing else ever needs fetching. A
value a citizen typed is escaped text, never markup, so it cannot ask for a URL; the
fetcher is the second lock on that door.

The font is Liberation Serif (Debian's ``fonts-liberation2``, which the Makefile
installs): metric-compatible with Times New Roman, the font of Vietnamese
administrative documents, with every Vietnamese letter precomposed.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "dvc-print"
STATIC = Path(__file__).resolve().parent / "static"
PRINT_CSS = STATIC / "print.css"
FONT_FAMILY = "Liberation Serif"
FONT_FILES = ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf")
# Shipped beside the code if an operator puts them there, else Debian's package.
FONT_DIRS = (
    STATIC / "fonts",
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
INSTALL_HINT = "cài gói Debian fonts-liberation2 (make test / make run cài sẵn)"


class RefusedURL(ValueError):
    """A URL the printer does not serve (anything but our own assets)."""


class FontMissing(RuntimeError):
    pass


def font_path(name: str) -> Path:
    if name not in FONT_FILES:
        raise RefusedURL(name)
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FontMissing(f"không tìm thấy phông chữ {name}: {INSTALL_HINT}")


@lru_cache(maxsize=None)
def _font_bytes(name: str) -> bytes:
    return font_path(name).read_bytes()


class PrintFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for printing: serves ``dvc-print:fonts/<file>``, refuses the rest.

    ``refused`` keeps the URLs it turned away (the last few hundred), for tests and logs."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(SCHEME,), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self._lock = threading.Lock()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        kind, _, name = url.removeprefix(f"{SCHEME}:").partition("/")
        if url.startswith(f"{SCHEME}:") and kind == "fonts" and name in FONT_FILES:
            return URLFetcherResponse(url, _font_bytes(name), {"Content-Type": "font/ttf"})
        with self._lock:
            self.refused.append(url[:300])
            del self.refused[:-200]
        raise RefusedURL(f"refused (only {SCHEME}: assets are served): {url[:100]}")

    def open(self, url, data=None, timeout=None):  # urllib's entry point: never used to go out
        raise RefusedURL("refused: the print fetcher opens no connection")


def check_fonts() -> list[Path]:
    """The font files, or FontMissing naming the package to install."""
    return [font_path(name) for name in FONT_FILES]
