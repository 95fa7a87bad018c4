"""The portal behind the reverse proxy docs/deployment.md describes: Debian's nginx
(installed by ``make test``), started unprivileged with deploy/nginx.conf (its
placeholders filled in for free ports and this test's folders) in front of a real
``dichvucong run`` (gunicorn) with ``DVC_TRUSTED_PROXIES=1`` and ``DVC_SECURE_COOKIES=1``.

Debian's /etc/nginx/nginx.conf, which includes the site file in production, is stood in
for by a small main file here (its own pid, logs and temporary folders). The client
connects from 127.0.0.2, so that its address and nginx's (127.0.0.1) differ.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

import web
from engine.bounds import MAX_BODY
from tests.web.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT = "127.0.0.2"
CCCD = "093195001234"
TOKEN = "eyJ1IjoiZGVtbyIsIm4iOiJ4In0.aSV0ZQ.Xk3-_q9ZpLw"
STATIC = Path(web.__file__).resolve().parent / "static"  # the installed package's

MAIN = """
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/dichvucong.conf;
}}
"""


def _wait_for(port: int, process: subprocess.Popen, what: str, log: Path, deadline: float) -> None:
    import socket

    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)


def _request(port: int, method: str, path: str, *, tls: bool = True, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    if tls:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, source_address=(CLIENT, 0),
                                           context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(CLIENT, 0))
    conn.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    portal_port, http_port, https_port = free_port(), free_port(), free_port()
    env = {**os.environ, "DVC_INSTANCE": str(tmp / "instance"), "DVC_SECRET_KEY": "khoa-thu-nghiem",
           "DVC_TRUSTED_PROXIES": "1", "DVC_SECURE_COOKIES": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("DVC_DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-keyout", tmp / "key.pem", "-out", tmp / "cert.pem"],
                   check=True, capture_output=True)
    values = {
        "@SERVER_NAME@": "localhost", "@HTTP_PORT@": f"127.0.0.1:{http_port}",
        "@HTTPS_PORT@": f"127.0.0.1:{https_port}", "@CERTIFICATE@": str(tmp / "cert.pem"),
        "@CERTIFICATE_KEY@": str(tmp / "key.pem"), "@PORTAL@": f"127.0.0.1:{portal_port}",
        "@LOG_DIR@": str(tmp), "@STATIC@": str(STATIC),
    }
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for placeholder, value in values.items():
        site = site.replace(placeholder, value)
    assert not re.findall(r"@[A-Z_]+@", site), "a placeholder the test does not fill"
    (tmp / "dichvucong.conf").write_text(site)
    # As root (this machine's tests), nginx's workers would become "nobody", who may not
    # read pytest's folders; otherwise nginx runs as whoever runs the tests.
    (tmp / "nginx.conf").write_text(MAIN.format(tmp=tmp, user="user root;" if os.getuid() == 0 else ""))
    portal_log, nginx_log = tmp / "portal.log", tmp / "nginx.out"
    processes = []
    try:
        with portal_log.open("wb") as out:
            portal = subprocess.Popen([str(Path(sys.executable).parent / "dichvucong"), "run", "--port",
                                       str(portal_port), "--workers", "1", "--threads", "4"], cwd=tmp, env=env,
                                      stdout=out, stderr=subprocess.STDOUT)
        processes.append(portal)
        with nginx_log.open("wb") as out:
            nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e",
                                      str(tmp / "error.log"), "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
        processes.append(nginx)
        deadline = time.monotonic() + 60
        _wait_for(https_port, nginx, "nginx", nginx_log, deadline)
        _wait_for(portal_port, portal, "dichvucong run", portal_log, deadline)
        yield {"http": http_port, "https": https_port, "portal_log": portal_log,
               "access_log": tmp / "dichvucong.access.log"}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _portal_lines(servers) -> list[str]:
    return servers["portal_log"].read_text(errors="replace").splitlines()


def test_the_portal_behind_nginx(behind_nginx):
    https = behind_nginx["https"]

    # Plain HTTP is sent to HTTPS.
    redirect = _request(behind_nginx["http"], "GET", "/dang-nhap", tls=False)
    assert redirect.status == 301 and redirect.getheader("Location") == "https://localhost/dang-nhap"

    # A page: the session cookie is HTTPS-only, the portal's HTTPS header is there, and the
    # portal saw the client's address (its access log), not nginx's nor the one it claims.
    page = _request(https, "GET", "/dang-nhap", headers={"X-Forwarded-For": "203.0.113.9"})
    assert page.status == 200
    cookie = page.getheader("Set-Cookie")
    assert cookie.startswith("session=") and "; Secure" in cookie and "HttpOnly" in cookie, cookie
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert "default-src 'self'" in page.getheader("Content-Security-Policy")
    # A static file: nginx's own, from the installed package (the portal never sees it).
    css = _request(https, "GET", "/static/css/site.css")
    assert css.status == 200 and css.body == (STATIC / "css" / "site.css").read_bytes()
    assert css.getheader("Content-Type") == "text/css" and css.getheader("Cache-Control") == "max-age=3600"
    assert css.getheader("Content-Security-Policy") is None

    # A body over the portal's limit is refused by nginx before it reads it: the portal
    # never sees the request. One just under reaches the portal (here, its 400 for a form
    # without a CSRF token), having been read whole by nginx first. (One of exactly
    # MAX_BODY bytes passes nginx and gets the portal's own 413: under gunicorn, werkzeug
    # refuses to read past the limit even at the end of the body.)
    conn = http.client.HTTPSConnection("127.0.0.1", https, timeout=60, source_address=(CLIENT, 0),
                                       context=ssl._create_unverified_context())
    conn.putrequest("POST", "/dang-nhap?qua-lon=1")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()
    too_large = conn.getresponse()
    assert too_large.status == 413 and too_large.getheader("Content-Security-Policy") is None
    conn.close()
    boundary = "----dichvucong"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ncongdan\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"scan.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"\0" * (MAX_BODY - 1 - len(head) - len(tail)) + tail
    under = _request(https, "POST", "/dang-nhap?vua-du=1", body=body,
                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert under.status == 400 and "default-src 'self'" in under.getheader("Content-Security-Policy")

    # Neither nginx's access log nor the portal's holds an ID number or a link's token.
    assert _request(https, "GET", f"/tra-cuu?q={CCCD}").status == 303
    assert _request(https, "GET", f"/kich-hoat/{TOKEN}").getheader("Content-Security-Policy")  # the portal's answer

    time.sleep(0.5)  # gunicorn writes its access log line once the response is sent
    portal = _portal_lines(behind_nginx)
    requests = [line for line in portal if '"GET /dang-nhap HTTP/1.0"' in line]
    assert len(requests) == 1 and requests[0].startswith(f"{CLIENT} "), portal
    assert not [line for line in portal if "/static/" in line or "qua-lon" in line], portal
    assert [line for line in portal if '"POST /dang-nhap?vua-du=1 HTTP/1.0" 400' in line], portal
    assert any("GET /tra-cuu?q=*********234" in line for line in portal), portal
    assert any("GET /kich-hoat/*** " in line for line in portal), portal
    # nginx writes a refused request's line when it has finished with the connection
    # (after its lingering close), which may come after the later requests' lines.
    deadline = time.monotonic() + 15
    while '"POST /dang-nhap" 413' not in behind_nginx["access_log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    proxied = behind_nginx["access_log"].read_text()
    assert f'{CLIENT} - [' in proxied and '"GET /tra-cuu" 303' in proxied and '"GET /kich-hoat/***" ' in proxied
    assert '"POST /dang-nhap" 413' in proxied, proxied
    for text in ("\n".join(portal), proxied):
        assert CCCD not in text and TOKEN not in text and "203.0.113.9" not in text
