"""Checking an uploaded file by what it contains, never by its name.

A citizen's "CCCD.pdf" must really be a PDF: the file is opened with the library that
reads that format (pypdf, Pillow) and refused when it does not parse, whatever its
name or the type the browser claims. Only the kinds a service's document slot accepts
(pdf, jpeg, png) exist here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
KIND_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


class UploadRefused(ValueError):
    """The file cannot be kept; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "pdf", "jpeg" or "png"
    media_type: str
    size: int


def _kind(data: bytes) -> str | None:
    """The format the bytes claim by their signature (magic number)."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _parses(kind: str, data: bytes) -> bool:
    try:
        if kind == "pdf":
            return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0
        with Image.open(io.BytesIO(data)) as image:
            if image.format.lower() != kind:
                return False
            image.verify()
        return True
    except (PdfReadError, UnidentifiedImageError, OSError, ValueError, SyntaxError, KeyError, IndexError):
        return False


def check(data: bytes, accept: tuple[str, ...], max_size_mb: float) -> CheckedFile:
    """The file's kind, or UploadRefused with the reason a citizen can act on."""
    names = [KIND_NAMES[k] for k in accept]
    allowed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " hoặc " + names[-1]
    if not data:
        raise UploadRefused("Tệp rỗng, hãy chọn lại tệp")
    if len(data) > max_size_mb * 1024 * 1024:
        raise UploadRefused(f"Tệp lớn quá {max_size_mb:g} MB, hãy chụp hoặc quét lại với dung lượng nhỏ hơn")
    kind = _kind(data)
    if kind is None or kind not in accept:
        raise UploadRefused(f"Tệp không phải là {allowed} (hệ thống kiểm tra nội dung tệp, không theo tên tệp)")
    if not _parses(kind, data):
        raise UploadRefused(f"Tệp {KIND_NAMES[kind]} bị hỏng hoặc không đọc được, hãy chọn tệp khác")
    return CheckedFile(kind, MEDIA_TYPES[kind], len(data))
