"""Uploads are recognised by their content."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from engine.uploads import UploadRefused, check


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


ALL = ("pdf", "jpeg", "png")


@pytest.mark.parametrize("kind,data", [("pdf", pdf_bytes()), ("jpeg", image_bytes("JPEG")), ("png", image_bytes("PNG"))])
def test_real_files_are_accepted(kind, data):
    checked = check(data, ALL, 5)
    assert (checked.kind, checked.size) == (kind, len(data))


def test_an_html_page_named_pdf_is_refused():
    with pytest.raises(UploadRefused, match="không phải là PDF"):
        check(b"<!doctype html><html><script>alert(1)</script></html>", ("pdf",), 5)


def test_a_kind_the_slot_does_not_take_is_refused():
    with pytest.raises(UploadRefused, match="không phải là PDF"):
        check(image_bytes("PNG"), ("pdf",), 5)


def test_a_truncated_file_with_the_right_signature_is_refused():
    with pytest.raises(UploadRefused, match="bị hỏng"):
        check(image_bytes("PNG")[:40], ALL, 5)
    with pytest.raises(UploadRefused, match="bị hỏng"):
        check(b"%PDF-1.7\n" + b"x" * 200, ALL, 5)


def test_size_limit_and_empty_file():
    data = pdf_bytes(3)
    with pytest.raises(UploadRefused, match="lớn quá 0.0001 MB"):
        check(data, ALL, 0.0001)
    assert check(data, ALL, len(data) / 1024 / 1024).size == len(data)
    with pytest.raises(UploadRefused, match="rỗng"):
        check(b"", ALL, 5)
