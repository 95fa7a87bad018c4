"""Uploads keep only what they show: images are written again from their pixels, PDFs that
run something or carry files are refused, file names lose the characters that are not shown."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import time
import zlib
from types import SimpleNamespace

import pytest
from PIL import Image, ImageCms, ImageFile, ImageOps, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NumberObject, TextStringObject)

from engine import upload_pdf, uploads
from engine.uploads import IMAGE_TOO_LARGE, PDF_ACTIVE, PDF_LOCKED, PDF_TOO_COMPLEX, UploadRefused, check, clean
from operations.files import Upload, keep, safe_filename
from storage.files import FileStore

ALL = ("pdf", "jpeg", "png")
HOME = {1: "N", 2: (10.0, 2.0, 31.5), 3: "E", 4: (105.0, 46.0, 12.25)}  # GPSLatitudeRef … GPSLongitude
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="10,2.525N"/></rdf:RDF>'
       b'</x:xmpmeta>')
TRAILER = b"PK\x03\x04 a zip after the picture"


@pytest.fixture
def portal(tmp_path):
    """What operations.files.keep uses of the portal: its files and its clock."""
    return SimpleNamespace(files=FileStore(tmp_path), now=lambda: dt.datetime(2025, 3, 5, 9))


# -- images ---------------------------------------------------------------------------------------

def two_colours(mode: str = "RGB", size=(40, 30)) -> Image.Image:
    """Red on the left half, blue on the right: where the left half went tells the rotation."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image.convert(mode)


def phone_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[0x0110] = "SM-A546E"  # Model
    exif[0x0112] = orientation  # taken holding the phone upright: the pixels lie on their side
    exif.get_ifd(0x8825).update(HOME)  # GPSInfo
    return exif


def phone_jpeg(orientation: int = 6, **extra) -> bytes:
    out = io.BytesIO()
    two_colours().save(out, "JPEG", quality=95, exif=phone_exif(orientation), xmp=XMP,
                       comment=b"Nha rieng: 12 Tran Hung Dao", **extra)
    return out.getvalue() + TRAILER


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    markers, at = [], 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        chunks.append(data[at + 4:at + 8])
        at += 12 + length
    return chunks


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims width × height pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def test_a_phone_photo_loses_its_gps_position_metadata_and_trailing_bytes_and_stays_upright():
    data = phone_jpeg(orientation=6)
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825) and original.info.get("comment")  # what there was to remove

    cleaned = clean(data, "jpeg")

    assert cleaned.endswith(b"\xff\xd9") and TRAILER not in cleaned
    for trace in (b"Exif", b"Samsung", b"SM-A546E", b"http://ns.adobe.com/xap", b"GPSLatitude", b"Tran Hung Dao"):
        assert trace not in cleaned
    segments = jpeg_segments(cleaned)
    assert 0xE0 in segments and not [m for m in segments if 0xE1 <= m <= 0xEF or m == 0xFE]  # JFIF; no APPn, no COM
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "JPEG" and not image.getexif() and "xmp" not in image.info and "comment" not in image.info
    assert image.size == (30, 40) == ImageOps.exif_transpose(original).size  # turned as the phone showed it
    assert near(image.getpixel((15, 5)), (220, 20, 20)) and near(image.getpixel((15, 35)), (20, 20, 220))
    assert check(cleaned, ALL, 5).kind == "jpeg"


def test_a_jpeg_stays_a_jpeg_of_good_quality():
    cleaned = Image.open(io.BytesIO(clean(phone_jpeg(orientation=1), "jpeg")))
    assert cleaned.size == (40, 30) and cleaned.mode == "RGB"
    # quality 90: the luminance table's first step is 3 (it is 8 at Pillow's default of 75)
    assert cleaned.quantization[0][0] == 3


def test_a_png_loses_its_text_chunks_exif_and_trailing_bytes_and_keeps_every_pixel():
    picture = two_colours("RGBA")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Chụp tại nhà: 12 Trần Hưng Đạo", zip=False)
    text.add_text("Location", "10.0420, 105.7700", zip=True)
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    picture.save(out, "PNG", pnginfo=text, exif=phone_exif(orientation=1), dpi=(300, 300))
    data = out.getvalue() + TRAILER

    cleaned = clean(data, "png")

    chunks = png_chunks(cleaned)
    assert set(chunks) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"} and chunks[-1] == b"IEND"  # the scan's resolution stays
    assert TRAILER not in cleaned and b"Location" not in cleaned and b"GPS" not in cleaned
    image = Image.open(io.BytesIO(cleaned))
    assert (image.format, image.size, image.mode) == ("PNG", (40, 30), "RGBA")
    assert image.tobytes() == picture.tobytes() and not image.getexif() and not image.text
    assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)


def test_a_png_is_turned_upright_and_keeps_its_transparency():
    picture = two_colours("P")
    out = io.BytesIO()
    picture.save(out, "PNG", transparency=0, exif=phone_exif(orientation=8))
    image = Image.open(io.BytesIO(clean(out.getvalue(), "png")))
    assert image.size == (30, 40) and image.mode == "P" and image.info["transparency"] == 0
    assert image.tobytes() == picture.transpose(Image.Transpose.ROTATE_90).tobytes()


def test_a_camera_s_second_picture_is_dropped():
    first, hidden = two_colours(), Image.new("RGB", (40, 30), "white")
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[hidden])
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 2
    assert check(out.getvalue(), ALL, 5).kind == "jpeg"
    image = Image.open(io.BytesIO(clean(out.getvalue(), "jpeg")))
    assert (image.format, getattr(image, "n_frames", 1), image.size) == ("JPEG", 1, (40, 30))
    assert near(image.getpixel((5, 5)), (220, 20, 20))


def test_a_colour_profile_is_kept_and_one_that_is_no_profile_is_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    two_colours().save(out, "JPEG", icc_profile=srgb)
    assert Image.open(io.BytesIO(clean(out.getvalue(), "jpeg"))).info["icc_profile"] == srgb
    out = io.BytesIO()
    two_colours().save(out, "JPEG", icc_profile=b"not a profile, a message" * 10)
    assert "icc_profile" not in Image.open(io.BytesIO(clean(out.getvalue(), "jpeg"))).info


@pytest.mark.parametrize("mode,kind", [("L", "jpeg"), ("CMYK", "jpeg"), ("1", "png"), ("L", "png"), ("LA", "png"),
                                       ("RGB", "png")])
def test_every_mode_a_file_opens_in_stays_as_it_is(mode, kind):
    picture = two_colours(mode)
    out = io.BytesIO()
    picture.save(out, kind.upper())
    image = Image.open(io.BytesIO(clean(out.getvalue(), kind)))
    assert (image.format.lower(), image.mode, image.size) == (kind, mode, (40, 30))


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    with pytest.raises(UploadRefused) as refused:
        check(png_header_only(8_000, 7_000), ALL, 5)  # 56 million pixels in 100 bytes
    assert refused.value.message == IMAGE_TOO_LARGE and "Ảnh quá lớn" in IMAGE_TOO_LARGE
    with pytest.raises(UploadRefused, match="Ảnh quá lớn"):
        check(png_header_only(20_000, 20_000), ALL, 5)  # past Pillow's own guard, which raises
    monkeypatch.setattr(uploads, "MAX_PIXELS", 40 * 30 - 1)
    for data, kind in ((phone_jpeg(), "jpeg"), (png_header_only(40, 30), "png")):
        with pytest.raises(UploadRefused, match="Ảnh quá lớn"):
            check(data, ALL, 5)
        with pytest.raises(UploadRefused, match="Ảnh quá lớn"):
            clean(data, kind)


@pytest.mark.parametrize("load_truncated", [False, True], ids=["alone", "once WeasyPrint is imported"])
def test_an_image_cut_short_is_refused(monkeypatch, load_truncated):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)  # WeasyPrint sets it for everyone
    for kind in ("jpeg", "png"):
        out = io.BytesIO()
        Image.effect_noise((300, 200), 60).convert("RGB").save(out, kind.upper(), exif=phone_exif(1))
        whole = out.getvalue()
        assert Image.open(io.BytesIO(whole)).getexif()
        end_marker = {"jpeg": 2, "png": 12}[kind]  # FF D9; the IEND chunk
        for cut in (whole[:len(whole) * 2 // 3], whole[:-end_marker]):
            with pytest.raises(UploadRefused, match=f"Tệp {kind.upper()} bị hỏng"):
                check(cut, ALL, 5)
        assert check(whole, ALL, 5).kind == kind


def test_a_jpeg_cut_short_is_refused_however_its_thumbnail_ends():
    out = io.BytesIO()
    thumbnail = io.BytesIO()
    two_colours().save(thumbnail, "JPEG")  # an EXIF thumbnail is a whole JPEG inside the header
    exif = phone_exif(1)
    Image.effect_noise((300, 200), 60).convert("RGB").save(out, "JPEG", exif=exif.tobytes() + thumbnail.getvalue())
    whole = out.getvalue()
    assert whole.count(b"\xff\xd9") >= 2
    check(whole, ALL, 5)
    with pytest.raises(UploadRefused, match="bị hỏng"):
        check(whole[:-100], ALL, 5)


# -- PDFs -----------------------------------------------------------------------------------------

def pdf(build=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def d(**entries) -> DictionaryObject:
    def value(v):
        if isinstance(v, str):
            return NameObject(v) if v.startswith("/") else TextStringObject(v)
        if isinstance(v, (list, tuple)):
            return ArrayObject(value(x) for x in v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return NumberObject(v) if isinstance(v, int) else FloatObject(v)
        return v
    return DictionaryObject({NameObject("/" + k): value(v) for k, v in entries.items()})


def annotate(writer: PdfWriter, annotation: DictionaryObject) -> None:
    page = writer.pages[0]
    annotation.update(d(Type="/Annot", Rect=[50, 50, 200, 80]))
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def embedded_stream(writer: PdfWriter):
    stream = DecodedStreamObject()
    stream.set_data(b"MZ\x90\x00 a program")
    stream.update(d(Type="/EmbeddedFile"))
    return writer._add_object(stream)


def open_action(action):
    def build(writer):
        writer.root_object[NameObject("/OpenAction")] = action if not callable(action) else action(writer)
    return build


def page_aa(writer):
    writer.pages[0][NameObject("/AA")] = d(O=d(S="/Named", N="/Print"))  # prints on opening, no script


def link(action):
    return lambda writer: annotate(writer, d(Subtype="/Link", A=action))


def file_attachment(writer):
    spec = d(Type="/Filespec", F="hoa-don.exe")
    annotate(writer, d(Subtype="/FileAttachment", FS=writer._add_object(spec)))


def bookmark_script(writer):
    item = writer.add_outline_item(title="Mở", page_number=0).get_object()
    item[NameObject("/A")] = JavaScript("app.launchURL('http://example.invalid')")


def field_action(writer):
    field = d(FT="/Tx", T="ho-ten", AA=d(K=d(S="/Named", N="/NextPage")))  # a field that is not on a page
    writer.root_object[NameObject("/AcroForm")] = d(Fields=ArrayObject([writer._add_object(field)]))


def xfa(writer):
    writer.root_object[NameObject("/AcroForm")] = d(Fields=[], XFA=embedded_stream(writer))


BAD_PDFS = {
    "document JavaScript": lambda writer: writer.add_open_action(JavaScript("app.alert('xin chào')")),
    "an open action running a script": open_action(JavaScript("this.print()")),
    "an open action opening a web page": open_action(d(S="/URI", URI="http://example.invalid/theo-doi")),
    "additional actions on a page": page_aa,
    "a launch action on a link": link(d(S="/Launch", F="cmd.exe", P="/c calc")),
    "a link opening a program": link(d(S="/URI", URI="file:///C:/Windows/System32/cmd.exe")),
    "a form sent away by a link": link(d(S="/SubmitForm", F="http://example.invalid")),
    "a link followed by another action": link(d(S="/GoTo", D=[0, "/Fit"], Next=d(S="/Hide", T="x"))),
    "an embedded file": lambda writer: writer.add_attachment("hoa-don.exe", b"MZ\x90\x00 a program"),
    "a file attachment annotation": file_attachment,
    "a bookmark running a script": bookmark_script,
    "a form field's additional actions": field_action,
    "an XFA form": xfa,
}


@pytest.mark.parametrize("build", BAD_PDFS.values(), ids=BAD_PDFS.keys())
def test_a_pdf_that_runs_something_or_carries_a_file_is_refused(build):
    data = pdf(build)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # a PDF that opens, with something more in it
    with pytest.raises(UploadRefused) as refused:
        check(data, ALL, 5)
    assert refused.value.message == PDF_ACTIVE
    assert "Print to PDF" in PDF_ACTIVE and "mã lệnh hoặc tệp đính kèm" in PDF_ACTIVE


def go_to_first_page(writer):
    first = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = ArrayObject([first, NameObject("/Fit")])


def links_and_bookmarks(writer):
    annotate(writer, d(Subtype="/Link", A=d(S="/URI", URI="https://dichvucong.gov.vn",
                                            Next=d(S="/URI", URI="mailto:motcua@vithanh.gov.vn"))))
    writer.add_outline_item(title="Trang 1", page_number=0)


PLAIN_PDFS = {
    "a blank page": None,
    "an office suite's opening at page 1 (a destination, not an action)": go_to_first_page,
    "a web link and a bookmark": links_and_bookmarks,
}


@pytest.mark.parametrize("build", PLAIN_PDFS.values(), ids=PLAIN_PDFS.keys())
def test_a_plain_pdf_passes_unchanged(build, portal):
    data = pdf(build)
    assert check(data, ALL, 5).kind == "pdf"
    assert clean(data, "pdf") is data
    kept = keep(portal, Upload("CCCD.pdf", data), ALL, 5)
    assert portal.files.read(kept.file_id) == data
    assert (kept.size, kept.sha256, kept.media_type) == (len(data), hashlib.sha256(data).hexdigest(), "application/pdf")


def raw_pdf(*objects: bytes, root: int = 1) -> bytes:
    """A PDF written by hand, with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


PAGES = (b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")


def test_references_that_go_round_in_a_circle_end():
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /Extra 4 0 R >>", *PAGES, b"[5 0 R 4 0 R]", b"<< /Back 4 0 R >>")
    started = time.monotonic()
    assert check(data, ALL, 5).kind == "pdf"
    assert time.monotonic() - started < 5


def test_a_pdf_of_more_objects_than_are_read_is_refused(monkeypatch):
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /More [4 0 R 5 0 R 6 0 R] >>", *PAGES, b"<<>>", b"<<>>", b"<<>>")
    assert check(data, ALL, 5).kind == "pdf"
    monkeypatch.setattr(upload_pdf, "MAX_PDF_OBJECTS", 5)
    with pytest.raises(UploadRefused) as refused:
        check(data, ALL, 5)
    assert refused.value.message == PDF_TOO_COMPLEX


def test_a_launch_action_hidden_behind_an_indirect_object_is_found():
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGES,
                   b"<< /S /Launch /Win << /F (cmd.exe) >> >>")
    with pytest.raises(UploadRefused, match="mã lệnh hoặc tệp đính kèm"):
        check(data, ALL, 5)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"x" * 200,
    raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"),  # pages in a loop
    raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"),  # no page
    raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * 5000 + b"]" * 5000 + b" >>", *PAGES),
    raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", *PAGES)[:-60],  # cut short
], ids=["no structure", "page tree in a loop", "no page", "nested 5000 deep", "cut short"])
def test_a_malformed_pdf_is_refused_not_a_crash(data):
    with pytest.raises(UploadRefused) as refused:
        check(data, ALL, 5)
    assert refused.value.message == "Tệp PDF bị hỏng hoặc không đọc được, hãy chọn tệp khác"


def test_a_password_is_refused_with_its_own_message_and_an_owner_password_alone_is_not():
    locked = pdf(lambda writer: writer.encrypt("mat-khau", algorithm="RC4-128"))
    with pytest.raises(UploadRefused) as refused:
        check(locked, ALL, 5)
    assert refused.value.message == PDF_LOCKED
    restricted = pdf(lambda writer: writer.encrypt("", owner_password="chu-so-huu", algorithm="RC4-128"))
    assert check(restricted, ALL, 5).kind == "pdf"
    script = pdf(lambda writer: (writer.add_open_action(JavaScript("app.alert(1)")),
                                 writer.encrypt("", owner_password="x", algorithm="RC4-128")))
    with pytest.raises(UploadRefused, match="mã lệnh"):
        check(script, ALL, 5)


# -- keeping: what is stored is the cleaned file --------------------------------------------------

def test_keep_stores_the_cleaned_image_and_describes_it(portal):
    data = phone_jpeg()
    kept = keep(portal, Upload("ảnh CCCD.jpeg", data), ALL, 5)
    stored = portal.files.read(kept.file_id)
    assert stored == clean(data, "jpeg") != data and b"Exif" not in stored
    assert (kept.size, kept.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert (kept.filename, kept.media_type) == ("ảnh CCCD.jpg", "image/jpeg")


def test_keep_stores_nothing_when_the_file_is_refused(portal):
    for data in (pdf(BAD_PDFS["document JavaScript"]), phone_jpeg()[:400]):
        with pytest.raises(UploadRefused):
            keep(portal, Upload("giay.pdf", data), ALL, 5)
    assert not any(portal.files.root.rglob("*"))


# -- names ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kind,expected", [
    ("ảnh\u202Egpj.exe", "jpeg", "ảnhgpj.jpg"),  # shown "ảnhexe.jpg" with the override: it is no .exe
    ("hoa-don\u2066\u2067\u2068\u2069\u202A\u202B\u202C\u202D.pdf", "pdf", "hoa-don.pdf"),
    ("\u200Ftên\u200E\u061C.png", "png", "tên.png"),
    ("a\u0301nh the\u0302\u0301 ca\u0306n cu\u031Bo\u031B\u0300c.jpg", "jpeg", "ánh thế căn cườc.jpg"),  # macOS's NFD
    ("CCCD\u200B\u200D\ufeff\u00ad mặt trước.jpg", "jpeg", "CCCD mặt trước.jpg"),  # zero-width, BOM, soft hyphen
    ("giấy\ttờ\r\n\x00\x1b[31m.pdf", "pdf", "giấy tờ [31m.pdf"),  # spacing becomes a space, the rest goes
    ("dòng\u2028hai\u2029ba\u00a0bốn\u3000năm.png", "png", "dòng hai ba bốn năm.png"),
    ("C:\\Users\\Lan\\Desktop\\CCCD chồng.pdf", "pdf", "CCCD chồng.pdf"),
    ("../../etc/passwd", "pdf", "passwd.pdf"),
    ("\u202E\u200B.pdf", "pdf", "tep.pdf"),
    ("...", "png", "tep.png"),
    ("x" * 300 + ".pdf", "pdf", "x" * 120 + ".pdf"),
])
def test_names_lose_what_is_not_shown_and_keep_the_real_ending(name, kind, expected):
    cleaned = safe_filename(name, kind)
    assert cleaned == expected
    assert all(ord(c) >= 0x20 and c not in "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069" for c in cleaned)
