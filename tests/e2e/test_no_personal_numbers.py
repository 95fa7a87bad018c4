"""No ID number leaves the portal by accident (issue: "Tra cứu hồ sơ" put the citizen's
CMND/CCCD in every access log).

The citizen's walk and the desk's walk (tests/e2e/test_citizen_walk.py,
test_desk_walk.py, run as they are, at desktop width), each on its own portal; then the
citizen comes back with a bookmark of the old lookup address (/tra-cuu?q=<ID number>) and
looks the dossier up by ID number through the form. Searched for each test citizen's ID
number (as typed, and in groups of three with a space, dot, dash, plus or %20):

- every log line the portal and its server wrote (werkzeug's request log, the app's and
  the portal's own loggers, anything else that reached the root logger), with the portal's
  loggers at DEBUG for the test;
- every e-mail the portal sent (the test SMTP server's messages, headers and decoded
  parts, and any left in the instance's mail queue or outbox);
- the desk's CSV export (/mot-cua/xuat-csv, every desk state), which holds the citizen's
  dossiers;
- every address the server was asked for, and every Referer sent to it, during the walks
  (what a reverse proxy in front of the portal logs, unmasked);

zero hits. The tokens of the links the portal e-mailed are searched for in the log lines
too. Two controls show the search is able to find a number: the old bookmark's address,
as the server received it, holds the full number (and its log line does not); and the
citizen's name is in the CSV.
"""

from __future__ import annotations

import email.policy
import logging
import re
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from engine.dossier import Role
from tests.e2e import test_citizen_walk as citizen_walk
from tests.e2e import test_desk_walk as desk_walk
from tests.e2e import walk as walk_module
from tests.e2e.walk import expect
from tests.web.helpers import add_user, login
from web import access_log, resources

SEPARATORS = (" ", ".", "-", "+", "%20")
MAIL_FOLDERS = ("outbox", "mail/queue", "mail/sending")
TEST_MACHINERY = ("mail.log", "asyncio")  # the test SMTP server (aiosmtpd) and its event loop: not the portal


def spellings(number: str) -> set[str]:
    """The number as typed, and in groups of three as the lookup takes it."""
    groups = [number[i:i + 3] for i in range(0, len(number), 3)]
    return {number, *(sep.join(groups) for sep in SEPARATORS)}


def hits(number: str, where: dict[str, list[str]]) -> list[str]:
    """Each place (a kind of output, an item of it) where a spelling of the number stands."""
    found = []
    for kind, items in where.items():
        for item in items:
            for spelling in spellings(number):
                if spelling in item:
                    found.append(f"{kind}: {spelling!r} in {item[:300]!r}")
    return found


class Lines(logging.Handler):
    """Every record as a text handler would write it, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(TEST_MACHINERY):
            self.lines.append(self.format(record))


@pytest.fixture
def logs(app):
    """The log lines written while the test runs: through the root logger, where the portal's
    and the server's loggers all propagate, with the portal's at DEBUG."""
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    names = access_log.installed() | {"werkzeug", app.logger.name}
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def addresses(app):
    """Every path with its query string, and every Referer, as the server received them."""
    seen: list[str] = []
    inner = app.wsgi_app

    def recording(environ, start_response):
        seen.append(environ.get("REQUEST_URI") or environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
        if environ.get("HTTP_REFERER"):
            seen.append("Referer: " + environ["HTTP_REFERER"])
        return inner(environ, start_response)

    app.wsgi_app = recording
    yield seen
    app.wsgi_app = inner


@pytest.fixture(autouse=True)
def own_screenshots(tmp_path, monkeypatch):
    """The walks' screenshots elsewhere: outputs/screenshots/ keeps those of their own tests
    (which may be running at the same time in another worker)."""
    monkeypatch.setattr(walk_module, "SCREENSHOTS", tmp_path / "screenshots")


def mail_texts(smtp, instance: Path) -> list[str]:
    """Each message the portal sent: the raw text, its headers and every part decoded
    (a base64 or quoted-printable body hides its digits from a search of the raw text)."""
    messages: list[EmailMessage] = list(smtp.messages)
    for folder in MAIL_FOLDERS:
        for path in sorted((instance / folder).glob("*.eml*")):
            messages.append(BytesParser(policy=email.policy.default).parsebytes(path.read_bytes()))
    texts = [f"{sender} -> {recipients}" for sender, recipients in smtp.envelopes]
    for message in messages:
        texts.append(message.as_string())
        texts.append("\n".join(f"{key}: {value}" for key, value in message.items()))
        for part in message.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            texts.append(content if isinstance(content, str) else content.decode("latin-1"))
    return texts


def link_tokens(smtp) -> list[str]:
    """The tokens of the e-mailed links (activation, reset, new address, confirmation)."""
    found = []
    for text in mail_texts(smtp, Path("/nonexistent")):
        for path in access_log.LINK_PATHS:
            found += re.findall(re.escape(path) + r"([A-Za-z0-9_.\-]+)", text)
    return sorted(set(found))


def desk_csv(app) -> str:
    """The desk's CSV export of every dossier in every desk state, as a clerk downloads it."""
    add_user(app, "canbo.xuatcsv", full_name="Đỗ Minh Khoa", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"],
             phone=None)
    client = app.test_client()
    assert login(client, "canbo.xuatcsv").status_code == 302
    states = [s.value for s in resources.portal(app).workflow.desk_order]
    response = client.get("/mot-cua/xuat-csv", query_string={"trang-thai": states})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def come_back_with_an_old_bookmark(context, portal: str, number: str, receipt: str | None) -> None:
    """The citizen opens /tra-cuu?q=<number> (kept from the old GET form): the empty form,
    and a word on why; then looks the dossier up through the form."""
    page = context.new_page()
    page.goto(f"{portal}/tra-cuu?q={number}")
    expect(page).to_have_url(f"{portal}/tra-cuu")  # the number has left the address bar
    expect(page.get_by_role("status")).to_contain_text("không còn nhận số ghi trên địa chỉ trang")
    field = page.get_by_label("Biên nhận hoặc Số CMND/CCCD")
    expect(field).to_have_value("")
    expect(page.get_by_role("table")).to_have_count(0)
    field.fill(number)
    with page.expect_navigation():
        page.get_by_role("button", name="Tra cứu").click()
    expect(page).to_have_url(f"{portal}/tra-cuu")
    row = page.get_by_role("row").filter(has_text=receipt or "Chưa có (chờ tiếp nhận)")
    expect(row).to_have_count(1)
    page.close()


@pytest.mark.parametrize("walk", ["citizen", "desk"])
def test_no_id_number_in_logs_mail_csv_or_addresses(request, app, logs, addresses, portal, smtp, household,
                                                     open_context, walk):
    if walk == "citizen":
        citizen_walk.test_citizen_walk(request, portal, smtp, "desktop")
        number, name, context = citizen_walk.ID_NUMBER, citizen_walk.NAME, request.getfixturevalue("desktop")
        receipt = None  # submitted, not yet accepted at the desk
    else:
        desk_walk.test_desk_walk(app, portal, smtp, household, open_context, "desktop")
        number, name, context = desk_walk.ID_NUMBER, desk_walk.CITIZEN, open_context("desktop")
        [dossier] = resources.portal(app).dossiers.query()
        receipt = dossier.receipt_number
    during_walk = list(addresses)
    assert hits(number, {"log": logs, "address during the walk": during_walk}) == []
    come_back_with_an_old_bookmark(context, portal, number, receipt)
    bookmark = addresses[len(during_walk):]

    csv = desk_csv(app)
    assert name in csv, "the export holds the citizen's dossiers"
    searched = {
        "log": list(logs),
        "e-mail": mail_texts(smtp, Path(app.instance_path)),
        "CSV": csv.splitlines(),
        "address during the walk": during_walk,
    }
    assert searched["log"] and searched["e-mail"] and searched["address during the walk"]
    assert hits(number, searched) == []

    # Controls: the search finds the number where it stands. The old bookmark's address
    # reached the server with it; its request log line has it masked, and no Referer sent
    # after the redirect carries it.
    assert [a for a in bookmark if number in a] == [f"/tra-cuu?q={number}"]
    masked = "*" * (len(number) - 3) + number[-3:]
    assert any(f"GET /tra-cuu?q={masked} HTTP/1.1" in line for line in logs), "the bookmark's line, masked"
    tokens = link_tokens(smtp)
    if walk == "citizen":
        assert len(tokens) == 2, tokens  # activation and the dossier's confirmation, both followed
        assert all(any(token in a for a in during_walk) for token in tokens)
    assert [t for t in tokens if any(t in line for line in logs)] == []
