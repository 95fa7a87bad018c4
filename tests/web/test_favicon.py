"""The portal's icon: /favicon.ico (which browsers ask for at the root) and /favicon.svg,
linked from every page, kept a year, allowed by the Content-Security-Policy."""

from __future__ import annotations

import io
import re

from PIL import Image

from web.security_headers import CONTENT_SECURITY_POLICY


def test_the_ico_is_an_icon_of_three_sizes_kept_a_year(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert "max-age=31536000" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
    icon.size = (16, 16)
    red, green, blue, alpha = icon.convert("RGBA").getpixel((8, 12))  # below the star's centre: the red disc
    assert red > 150 and green < 80 and alpha == 255


def test_the_svg_is_an_svg_kept_a_year(client):
    response = client.get("/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    svg = response.get_data(as_text=True)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<polygon" in svg and "<script" not in svg


def test_every_page_links_both(client):
    for path in ("/", "/tra-cuu", "/dang-nhap", "/khong-co-trang-nay"):
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page, path
        assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page, path


def test_the_policy_allows_the_portal_s_own_images():
    assert re.search(r"(^|; )img-src 'self'", CONTENT_SECURITY_POLICY)
