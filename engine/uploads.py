"""Checking an uploaded file by what it contains, never by its name, and keeping only what it shows.

A citizen's "CCCD.pdf" must really be a PDF: the file is opened with the library that
reads that format (pypdf, Pillow) and refused when it does not parse, whatever its
name or the type the browser claims. Only the kinds a service's document slot accepts
(pdf, jpeg, png) exist here.

A file may also carry more than it shows. :func:`check` refuses a PDF that runs
something or hides files (JavaScript, an action on opening, additional actions, a launch
or form-submitting action, embedded files, XFA), one it cannot read through, and an
image of more than :data:`MAX_PIXELS`. :func:`clean` then gives what is stored: an image
is decoded and written again from its pixels alone (turned upright by its EXIF
orientation first), so the EXIF with a phone's GPS position, XMP, comments, PNG text
chunks, a second picture of an MPO and any bytes after the image are gone; a PDF is
kept as it was sent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from engine.bounds import MAX_PIXELS

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
KIND_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}

# What Pillow reports for each kind: a camera's JPEG with a second, preview picture
# (Multi-Picture Format) opens as "MPO"; only its first picture is kept.
PILLOW_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",)}
JPEG_QUALITY = 90

PDF_ACTIVE = "Tệp PDF có chứa mã lệnh hoặc tệp đính kèm; hãy in ra PDF lại (Print to PDF) rồi tải lên"
PDF_LOCKED = "Tệp PDF được đặt mật khẩu hoặc mã hóa; hãy gỡ mật khẩu, hoặc in ra PDF lại (Print to PDF), rồi tải lên"
PDF_TOO_COMPLEX = ("Tệp PDF có quá nhiều thành phần để kiểm tra; hãy in ra PDF lại (Print to PDF) hoặc tách thành "
                   "tệp ít trang hơn rồi tải lên")
IMAGE_TOO_LARGE = (f"Ảnh quá lớn (hơn {MAX_PIXELS // 1_000_000} triệu điểm ảnh); hãy chụp lại với độ phân giải "
                   "thấp hơn hoặc thu nhỏ ảnh rồi tải lên")


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


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF by their content (its header), whatever the file's name."""
    return _kind(data) == "pdf"


def _broken(kind: str) -> UploadRefused:
    return UploadRefused(f"Tệp {KIND_NAMES[kind]} bị hỏng hoặc không đọc được, hãy chọn tệp khác")


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
    if kind == "pdf":
        from engine.upload_pdf import check_pdf  # pypdf: 40 ms of start-up, paid by the first PDF

        check_pdf(data)
    else:
        with _open_image(data, kind) as image:
            try:
                image.verify()  # a PNG's chunks and their checksums, to its end
            except Exception:  # Pillow raises many kinds on a damaged file; none may reach the person as a 500
                raise _broken(kind) from None
        if kind == "jpeg" and not _jpeg_ends(data):
            raise _broken(kind)
    return CheckedFile(kind, MEDIA_TYPES[kind], len(data))


def clean(data: bytes, kind: str) -> bytes:
    """What is stored of a file :func:`check` took: a PDF as it is; an image written again
    from its pixels, upright, in its own kind (a JPEG at quality 90, a PNG losslessly),
    with nothing but its pixels, its transparency, its resolution and its colour profile."""
    if kind == "pdf":
        return data
    with _open_image(data, kind) as image:
        try:
            image.load()  # decodes the whole picture
        except Exception:
            raise _broken(kind) from None
        options = {"icc_profile": _colour_profile(image), "dpi": _dpi(image)}
        if kind == "jpeg":
            sampling = JpegImagePlugin.get_sampling(image)  # 4:4:4 stays sharp around coloured text
            options.update(quality=JPEG_QUALITY, subsampling=sampling if sampling in (0, 1, 2) else -1)
        transparency = image.info.get("transparency") if kind == "png" else None
        try:
            ImageOps.exif_transpose(image, in_place=True)  # in place: a 50-megapixel picture is held once
        except Exception:  # an EXIF block Pillow cannot read: no orientation to apply
            pass
        image.info = {}  # Pillow writes some of info unless told otherwise (a JPEG's comment, a PNG's ICC)
        pixels = image
        if kind == "jpeg" and pixels.mode not in ("L", "RGB", "CMYK"):
            pixels = pixels.convert("RGB")
        if kind == "png" and pixels.mode not in ("1", "L", "LA", "I;16", "P", "RGB", "RGBA"):
            pixels = pixels.convert("RGBA")
        if transparency is not None and pixels.mode in ("1", "L", "I;16", "P", "RGB"):
            options["transparency"] = transparency
        out = io.BytesIO()
        pixels.save(out, format=PILLOW_FORMATS[kind][0], **{k: v for k, v in options.items() if v is not None})
    return out.getvalue()


def _open_image(data: bytes, kind: str) -> Image.Image:
    """The image, opened (its header read, nothing decoded), if it is of ``kind`` and within MAX_PIXELS."""
    try:
        image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the warning, where it is an error
        raise UploadRefused(IMAGE_TOO_LARGE) from None
    except Exception:
        raise _broken(kind) from None
    if image.format not in PILLOW_FORMATS[kind]:
        image.close()
        raise _broken(kind)
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise UploadRefused(IMAGE_TOO_LARGE)
    return image


def _jpeg_ends(data: bytes) -> bool:
    """Whether the JPEG's picture runs to its end marker (EOI). Pillow cannot be asked: the
    switch that makes it refuse a picture cut short is one for the whole process, and
    WeasyPrint (renderers/pdf.py) turns it off when it is imported. The header's segments
    are skipped by their lengths (an EXIF thumbnail is a JPEG of its own, with its own end);
    in the compressed data that follows, a 0xFF byte is always escaped, so FF D9 is the end."""
    at = 2
    while 0 <= at and at + 4 <= len(data):
        if data[at] != 0xFF:  # stray bytes between segments, which decoders pass over
            at = data.find(b"\xff", at)
            if at < 0:
                return False
            continue
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # segments without a length
            at += 2
        elif marker == 0xDA:  # start of scan: the picture's data
            return b"\xff\xd9" in data[at:]
        else:
            at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return False


def _colour_profile(image: Image.Image) -> bytes | None:
    """The image's ICC profile, which says how its pixels' colours look, if it is one."""
    profile = image.info.get("icc_profile")
    if not profile:
        return None
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except Exception:
        return None
    return profile


def _dpi(image: Image.Image) -> tuple[int, int] | None:
    """The resolution a scan was made at (for printing it at its size), if it is a sensible one."""
    try:
        dpi = tuple(round(float(value)) for value in image.info.get("dpi", ()))
    except (TypeError, ValueError, OverflowError):
        return None
    return dpi if len(dpi) == 2 and all(1 <= value <= 65_535 for value in dpi) else None
