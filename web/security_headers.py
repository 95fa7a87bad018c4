"""Headers every response carries, so that a browser enforces what the templates already
follow: scripts, styles and images only from the portal itself (no inline script or
style anywhere, no CDN), no framing by another site (a hidden "Nộp hồ sơ" button under
a decoy page), no MIME sniffing, and over HTTPS, HTTPS only.

A view that sets one of these headers itself keeps its own: an attachment opened inline
is sandboxed more strictly (web.dossiers), the lookup sends no referrer off the site.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000"  # a year; sent only when cookies are HTTPS-only (DVC_SECURE_COOKIES=1)


def init_app(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
