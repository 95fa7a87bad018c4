"""No ID number and no e-mailed link's token in the logs (web/access_log.py): the filter
on its own, on the records werkzeug, Flask and gunicorn write, and through a real server:
werkzeug's in a thread, and ``dichvucong run`` itself (gunicorn)."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.dossier import new_id
from tests.web.helpers import add_user, free_port
from web import access_log, create_app, tokens
from web.access_log import FILTER, LINK_PATHS, mask
from web.notifications import confirm_serializer

CCCD = "093195001234"
CMND = "093186004"
ROOT = Path(__file__).resolve().parents[2]


# -- mask ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, masked", [
    (CCCD, "*********234"),
    (CMND, "******004"),
    (f"/tra-cuu?q={CCCD}", "/tra-cuu?q=*********234"),
    (f"/tra-cuu/{CCCD}", "/tra-cuu/*********234"),
    (f"q={CMND}&lang=en", "q=******004&lang=en"),
    ("q=093+195+001+234", "q=***+***+***+234"),  # as the old GET form sent a spaced number
    ("q=093%20195%20001%20234", "q=***%20***%20***%20234"),
    ("/tra-cuu?q=093 195 001 234 HTTP/1.1", "/tra-cuu?q=*** *** *** 234 HTTP/1.1"),  # werkzeug decodes %20
    ("093.195.001.234", "***.***.***.234"),
    ("093-186-004", "***-***-004"),
    (f"next=/tra-cuu?q%3D{CCCD}", "next=/tra-cuu?q%3D*********234"),  # the language switch's next=
    (f'"CMND/CCCD: {CCCD}."', '"CMND/CCCD: *********234."'),
    (f"{CMND},{CCCD}", "******004,*********234"),
])
def test_id_numbers_keep_their_last_three_digits(text, masked):
    assert mask(text) == masked
    assert mask(masked) == masked


@pytest.mark.parametrize("text", [
    '127.0.0.1 - - [25/Nov/2026 09:05:17] "GET /dich-vu/dang-ky-thanh-lap-ho-kinh-doanh HTTP/1.1" 200 -',
    '10.0.0.1 - - [25/Nov/2026:09:05:17 +0700] "GET / HTTP/1.1" 200 123456 "-" "Mozilla/5.0"',
    "192.168.100.200",  # an IPv4 address, not a dotted ID number
    "/tra-cuu/2611-7KQ4-MX9P-B2TW",  # a receipt number is not personal
    "/ho-so/123456789abcdef0", "/ho-so/a0931950012345bc",  # a dossier's hex id
    "12345678", "0931950012", "09319500123", "0931950012345",  # 8, 10, 11 and 13 digits
    "0912 345 678", "02923876543",  # telephone numbers
    "25/11/2026 09:05", "2026-11-25T09:05:17+07:00", "1764036317.123456",
])
def test_what_is_no_id_number_stays(text):
    assert mask(text) == text


@pytest.mark.parametrize("path", LINK_PATHS)
def test_the_token_of_each_e_mailed_link_is_masked(path):
    token = "eyJ1IjoiYWJjIiwibiI6IjEyMyJ9.aSV0ZQ.Xk3-_q9ZpLw"
    assert mask(f"GET {path}{token} HTTP/1.1") == f"GET {path}*** HTTP/1.1"
    assert mask(f"POST {path}{token}?x=1 HTTP/1.1") == f"POST {path}***?x=1 HTTP/1.1"
    referer = f"https://dichvucong.vithanh.gov.vn{path}{token}"
    assert mask(f'"{referer}" "Mozilla/5.0"') == f'"https://dichvucong.vithanh.gov.vn{path}***" "Mozilla/5.0"'
    encoded = path.replace("/", "%2F")  # a next= parameter
    assert mask(f"/ngon-ngu/en?next={encoded}{token}%26a") == f"/ngon-ngu/en?next={encoded}***%26a"
    assert mask(f"không xử lý được {path[1:]}{token}") == f"không xử lý được {path[1:]}***"  # a path without its /
    assert mask(f"/x{path}{token}") == f"/x{path}***" and mask(f"/abc-{path[1:]}{token}") == f"/abc-{path[1:]}{token}"


def test_the_real_tokens_of_every_e_mailed_link_are_masked(app):
    """Tokens as the portal makes them, in the links as url_for writes them."""
    user = add_user(app, "congdan", id_number=CCCD)
    with app.test_request_context(base_url="https://dichvucong.vithanh.gov.vn"):
        from flask import url_for

        links = {
            "activate": url_for("accounts.activate", token=tokens.issue(tokens.ACTIVATION, user), _external=True),
            "reset": url_for("accounts.reset_password", token=tokens.issue(tokens.PASSWORD_RESET, user),
                             _external=True),
            "email": url_for("accounts.confirm_email", token=tokens.issue(tokens.EMAIL_CHANGE, user, "moi@example.com"),
                             _external=True),
            "dossier": url_for("dossiers.confirm", token=confirm_serializer().dumps({"d": new_id(), "o": user.id}),
                               _external=True),
        }
    for name, link in links.items():
        token = link.rsplit("/", 1)[1]
        assert len(token) > 20 and token not in mask(link), name
        assert mask(link).endswith("/***"), name


def test_every_link_route_with_a_token_is_covered(app):
    """A new e-mailed link (a route of accounts or dossiers with a <token>) must be added to
    LINK_PATHS, or its tokens would reach the logs."""
    adapter = app.url_map.bind("localhost")
    covered = []
    for rule in app.url_map.iter_rules():
        if "token" in rule.arguments and rule.endpoint.split(".")[0] in ("accounts", "dossiers"):
            path = adapter.build(rule.endpoint, {"token": "SECRETtoken123"})
            assert "SECRETtoken123" not in mask(path), rule.rule
            covered.append(rule.endpoint)
    assert sorted(covered) == ["accounts.activate", "accounts.confirm_email", "accounts.reset_password",
                               "dossiers.confirm"]


# -- the filter on records ------------------------------------------------------------------------

def _record(name: str, msg, args, exc_info=None) -> logging.LogRecord:
    return logging.getLogger(name).makeRecord(name, logging.INFO, __file__, 1, msg, args, exc_info)


def test_werkzeug_s_request_line_is_masked_in_its_arguments():
    record = _record("werkzeug", '127.0.0.1 - - [25/Nov/2026 09:05:17] "%s" %s %s',
                     (f"GET /tra-cuu?q={CCCD} HTTP/1.1", "303", "-"))
    assert FILTER.filter(record) is True
    assert record.args[0] == "GET /tra-cuu?q=*********234 HTTP/1.1"  # still an argument
    assert record.getMessage() == '127.0.0.1 - - [25/Nov/2026 09:05:17] "GET /tra-cuu?q=*********234 HTTP/1.1" 303 -'


class SafeAtoms(dict):
    """As gunicorn.glogging.SafeAtoms: the access log's arguments, a dict answering "-" for
    an unknown atom."""

    def __getitem__(self, key):
        if key.startswith("{"):
            key = key.lower()
        return super().__getitem__(key) if key in self else "-"


def test_gunicorn_s_access_log_atoms_are_masked_in_place():
    token = "eyJ1IjoiYWJjIn0.aSV0ZQ.Xk3-_q9ZpLw"
    atoms = SafeAtoms({
        "h": "203.0.113.7", "l": "-", "u": "-", "t": "[25/Nov/2026:09:05:17 +0700]",
        "r": f"GET /tra-cuu?q={CCCD} HTTP/1.1", "s": "303", "b": "0", "U": "/tra-cuu", "q": f"q={CCCD}",
        "f": f"https://dichvucong.vithanh.gov.vn/dat-lai-mat-khau/{token}", "a": "Mozilla/5.0", "D": 1234,
    })
    # gunicorn's default access_log_format, logged as gunicorn does: info(format, atoms)
    record = _record("gunicorn.access", '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-real-ip}i)s',
                     (atoms,))
    FILTER.filter(record)
    assert record.args is atoms and isinstance(record.args, SafeAtoms)
    line = record.getMessage()
    assert line == ('203.0.113.7 - - [25/Nov/2026:09:05:17 +0700] "GET /tra-cuu?q=*********234 HTTP/1.1" 303 0 '
                    '"https://dichvucong.vithanh.gov.vn/dat-lai-mat-khau/***" "Mozilla/5.0" -')
    assert atoms["q"] == "q=*********234" and atoms["D"] == 1234


def test_an_argument_that_is_no_string_is_masked_in_the_message():
    error = ValueError(f"không tìm thấy {CCCD}")
    record = _record("operations.mail", "e-mail %s not delivered, kept in the queue: %r", ("x.eml", error))
    FILTER.filter(record)
    assert record.getMessage() == "e-mail x.eml not delivered, kept in the queue: ValueError('không tìm thấy *********234')"
    record = _record("web", error, ())  # logger.error(exc)
    FILTER.filter(record)
    assert record.getMessage() == "không tìm thấy *********234"


def test_a_traceback_and_a_stack_are_masked():
    try:
        raise LookupError(f"/ho-so/xac-nhan/abcDEF123.xyz for {CMND}")
    except LookupError:
        record = _record("web", "Exception on %s [%s]", ("/ho-so/xac-nhan/abcDEF123.xyz", "GET"), sys.exc_info())
    record.stack_info = f"Stack (most recent call last):\n  lookup({CCCD!r})"
    FILTER.filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "abcDEF123" not in line and CMND not in line and CCCD not in line
    assert "Exception on /ho-so/xac-nhan/*** [GET]" in line and "LookupError: /ho-so/xac-nhan/*** for ******004" in line
    assert "lookup('*********234')" in line


def test_a_broken_format_string_still_reaches_the_handler_masked():
    record = _record("web", "%d lookups for %s", ("many", CCCD))
    assert FILTER.filter(record) is True
    assert record.args == ("many", "*********234")


# -- installed on the loggers ------------------------------------------------------------------------

def test_the_app_installs_the_filter_once_on_every_logger_the_portal_writes_through(tmp_path, catalog):
    create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "a"), "CATALOG": catalog})
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "b"), "CATALOG": catalog})
    for name in ("werkzeug", app.logger.name, "gunicorn.access", "gunicorn.error", "operations.mail"):
        assert logging.getLogger(name).filters.count(FILTER) == 1, name
    assert app.logger.name == "web" and {"werkzeug", "web", "gunicorn.access"} <= access_log.installed()


@contextmanager
def captured(name: str) -> Iterator[io.StringIO]:
    """What a stream handler on the logger writes (as werkzeug's own handler does)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on werkzeug's server in a thread, as tests/e2e/conftest.py's portal."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _get(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


TOKEN = "eyJ1IjoiZGVtbyIsIm4iOiJ4In0.aSV0ZQ.Xk3-_q9ZpLw"
REQUESTS = [  # (path, what the access log line says instead)
    (f"/tra-cuu?q={CCCD}", "GET /tra-cuu?q=*********234 HTTP/1.1"),
    ("/tra-cuu?q=093+195+001+234", "GET /tra-cuu?q=***+***+***+234 HTTP/1.1"),
    ("/tra-cuu?q=093%20195%20001%20234", "GET /tra-cuu?q=***%20***%20***%20234 HTTP/1.1"),
    (f"/tra-cuu/{CMND}", "GET /tra-cuu/******004 HTTP/1.1"),
    (f"/kich-hoat/{TOKEN}", "GET /kich-hoat/*** HTTP/1.1"),
    (f"/dat-lai-mat-khau/{TOKEN}", "GET /dat-lai-mat-khau/*** HTTP/1.1"),
    (f"/tai-khoan/xac-nhan-thu/{TOKEN}", "GET /tai-khoan/xac-nhan-thu/*** HTTP/1.1"),
    (f"/ho-so/xac-nhan/{TOKEN}", "GET /ho-so/xac-nhan/*** HTTP/1.1"),
    (f"/ngon-ngu/en?next=/dat-lai-mat-khau/{TOKEN}", "GET /ngon-ngu/en?next=/dat-lai-mat-khau/*** HTTP/1.1"),
]


def _hits(text: str) -> list[str]:
    return [secret for secret in (CCCD, CMND, "093+195+001+234", "093%20195%20001%20234", TOKEN) if secret in text]


def test_the_request_log_of_werkzeug_s_server_in_a_thread(app):
    """Each request's line is there, with neither the number nor the token; the same
    requests without the filter show both (so the test can tell)."""
    urllib.request.install_opener(urllib.request.build_opener(_NoRedirect))
    try:
        with serving(app) as base, captured("werkzeug") as log:
            for path, _ in REQUESTS:
                _get(base + path, Referer=f"{base}/kich-hoat/{TOKEN}")
            access_log.uninstall()
            try:
                _get(base + REQUESTS[0][0])
                _get(base + REQUESTS[4][0])
            finally:
                access_log.init_app(app)
    finally:
        urllib.request.install_opener(None)
    lines = log.getvalue().splitlines()
    masked, unmasked = lines[:len(REQUESTS)], lines[len(REQUESTS):]
    for line, (_, expected) in zip(masked, REQUESTS):
        assert expected in line, line  # werkzeug colours the request line of a redirect or an error
    assert _hits("\n".join(masked)) == []
    assert len(unmasked) == 2 and f"q={CCCD}" in unmasked[0] and TOKEN in unmasked[1]


def test_an_exception_in_the_app_log_holds_no_number_or_token(tmp_path, catalog):
    """Flask's app logger writes the path and the traceback of an unexpected error."""
    app = create_app({"INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"})

    @app.get("/hong/<path:rest>")
    def broken(rest):
        raise RuntimeError(f"không xử lý được {rest}")

    with serving(app) as base, captured("werkzeug") as requests, captured(app.logger.name) as errors:
        assert _get(f"{base}/hong/ho-so/xac-nhan/{TOKEN}") == 500
        assert _get(f"{base}/hong/{CCCD}") == 500
    text = errors.getvalue()
    assert "Exception on /hong/ho-so/xac-nhan/*** [GET]" in text and "Exception on /hong/*********234 [GET]" in text
    assert "RuntimeError: không xử lý được *********234" in text and "Traceback" in text
    assert _hits(text + requests.getvalue()) == []


def test_the_request_log_of_dichvucong_run(tmp_path):
    """The real command, in its own process: gunicorn's access log (with each request's
    Referer) on the terminal, from its worker processes."""
    port = free_port()
    env = {**os.environ, "DVC_INSTANCE": str(tmp_path / "instance"), "PYTHONUNBUFFERED": "1",
           "DVC_SECRET_KEY": "khoa-thu-nghiem"}
    env.pop("DVC_DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "dichvucong"), "run", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/tra-cuu")
                break
            except OSError:  # refused, or (gunicorn listens before its workers have built the app) timed out
                assert server.poll() is None and time.monotonic() < deadline, "dichvucong run did not start"
                time.sleep(0.2)
        urllib.request.install_opener(urllib.request.build_opener(_NoRedirect))
        try:
            codes = [_get(base + path, Referer=f"{base}/dat-lai-mat-khau/{TOKEN}?q={CCCD}") for path, _ in REQUESTS]
        finally:
            urllib.request.install_opener(None)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert codes[0] == 303 and codes[3] == 404, codes
    assert "Using worker: gthread" in output and "development server" not in output, output
    assert (tmp_path / "instance" / "metrics").is_dir()  # the workers' Prometheus folder, made by the master
    for _, expected in REQUESTS:
        assert expected in output, (expected, output)
    assert f'"{base}/dat-lai-mat-khau/***?q=*********234"' in output, output
    assert _hits(output) == [], output
