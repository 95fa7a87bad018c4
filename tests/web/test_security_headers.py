"""What every response tells the browser to enforce (web/security_headers.py), and the
templates' part of the bargain: nothing inline that the policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


@pytest.mark.parametrize("path", ["/", "/dang-nhap", "/tra-cuu", "/khong-co-trang-nay"])
def test_every_page_refuses_framing_sniffing_and_foreign_scripts(client, path):
    headers = client.get(path).headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # plain http (make run): no HSTS


def test_a_view_s_own_policy_is_kept(client):
    assert client.get("/tra-cuu").headers["Referrer-Policy"] == "same-origin"  # no referrer leaves the lookup
    assert client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_https_deployments_get_hsts(tmp_path, catalog, monkeypatch):
    monkeypatch.setenv("DVC_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    assert app.test_client().get("/").headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style(template):
    source = template.read_text(encoding="utf-8")
    assert "<style" not in source
    assert not re.search(r"\sstyle=", source)
    assert not re.search(r"\son[a-z]+=", source), "event handler attribute"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", source), "inline <script>"
    assert "javascript:" not in source
