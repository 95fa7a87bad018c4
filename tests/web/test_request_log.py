"""The request log (web/request_log.py): with DVC_LOG_FORMAT=json one JSON line per request
on standard error, with the route's pattern and never the path, a token, an ID number,
a user name, an e-mail address or the client's address; every response's X-Request-ID."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.web.helpers import add_user, login
from web import create_app

FIELDS = {"timestamp", "level", "request_id", "method", "route", "status", "duration_ms"}
CCCD = "093195001234"
TOKEN = "eyJ1aWQiOiJhYmMifQ.Zk9xYw.c2VjcmV0LXRva2Vu"


def json_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_its_fields(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    answer = client.get("/ho-so/0123456789abcdef")
    [line] = json_lines(capsys.readouterr().err)
    assert set(line) == FIELDS
    assert line["method"] == "GET" and line["route"] == "/ho-so/<dossier_id>"
    assert line["status"] == answer.status_code and line["level"] == "info"
    assert line["request_id"] == answer.headers["X-Request-ID"] and len(line["request_id"]) == 32
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    moment = dt.datetime.fromisoformat(line["timestamp"])
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - moment) < dt.timedelta(minutes=1)


def test_an_unknown_address_is_logged_as_unmatched(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    client.get("/khong-co-trang-nay/093195001234")
    client.open("/healthz", method="BREW")
    first, second = json_lines(capsys.readouterr().err)
    assert (first["route"], first["status"]) == ("unmatched", 404)
    assert (second["method"], second["status"]) == ("OTHER", 405)


def test_a_plain_incoming_request_id_is_kept_anything_else_replaced(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.12:9"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.12:9"
    for sent in (CCCD, "x" * 65, "a b", "<script>", "id\u00e9"):
        replaced = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
        assert replaced != sent and len(replaced) == 32
    ids = [line["request_id"] for line in json_lines(capsys.readouterr().err)]
    assert ids[0] == "lb-7f3a.12:9" and CCCD not in json.dumps(ids)


def test_no_token_id_number_or_person_in_the_json_line(json_app, capsys):
    citizen = add_user(json_app, "congdan", full_name="Trần Thị Bích Ngọc", id_number=CCCD,
                       email="ngoc.tran@example.com")
    client = json_app.test_client()
    assert login(client, citizen.username).status_code == 302
    capsys.readouterr()
    client.get(f"/kich-hoat/{TOKEN}?next=/tra-cuu%3Fq%3D{CCCD}", headers={"X-Request-ID": CCCD})
    client.get(f"/tra-cuu?q={CCCD}&so={CCCD}", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    client.get("/tai-khoan")
    err = capsys.readouterr().err
    lines = json_lines(err)
    assert [line["route"] for line in lines] == ["/kich-hoat/<token>", "/tra-cuu", "/tai-khoan"]
    logged = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (TOKEN, CCCD, "***", "congdan", "ngoc.tran", "Ngọc", "203.0.113.77", "127.0.0.1", "?"):
        assert secret not in logged


def test_without_the_setting_no_json_line_but_still_a_request_id(app, client, capsys):
    capsys.readouterr()
    answer = client.get("/healthz")
    assert len(answer.headers["X-Request-ID"]) == 32
    assert json_lines(capsys.readouterr().err) == []


def test_an_unknown_log_format_stops_start_up(tmp_path, catalog, monkeypatch):
    monkeypatch.setenv("DVC_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="DVC_LOG_FORMAT"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
