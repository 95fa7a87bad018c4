"""Tra cứu hồ sơ: anyone looks a dossier up by receipt number or ID number and sees its
status and processing log, never its content; probing learns nothing; sweeping is slowed;
the number is posted, never put in an address that a log would keep."""

from __future__ import annotations

import copy
import datetime as dt
import re
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from markupsafe import escape

from engine import lifecycle as lc
from engine.dossier import Actor, Role
from engine.receipts import new_receipt_number
from tests.web.helpers import csrf_token, post, text
from web import create_app
from web.lookup import status_url
from web import resources

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=VN)
OWNER = Actor(id="u1", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
DESK = Actor(id="c1", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))
CCCD = "093186004527"
CMND = "093186004"
DRAFT_ONLY = "079200001111"  # an ID number whose dossiers were never sent to the desk
REFUSED_ID = "079186002233"  # an ID number with one dossier refused and one sent back, neither accepted
REFUSAL = "Địa điểm kinh doanh nằm trong khu vực cấm kinh doanh theo quy hoạch"
SUPPLEMENT = "Bổ sung bản sao hợp đồng thuê địa điểm kinh doanh"
RESULT_NOTE = "Giấy chứng nhận đăng ký hộ kinh doanh số 57A8001234"
NOT_FOUND = "Không tìm thấy hồ sơ phù hợp với thông tin bạn nhập."
OLD_ADDRESS = "trang tra cứu không còn nhận số ghi trên địa chỉ trang"
# What the household sample and the people around it hold: never on a public page.
SECRETS = ("Thanh Tâm", "Nguyễn Thị", CCCD, "Trần Hưng Đạo", "Quán cơm", "0939512486", "thanhtam",
           "Lê Văn Hùng", "093083002918", "Trần Thị Lan", "57A8001234", "1986")


def _make(store, service, id_number: str, until: str, receipt_number=new_receipt_number):
    dossier = store.add(lc.create(service, OWNER, copy.deepcopy(service.sample), [], NOW, id_number))
    steps = [
        ("confirmed", lambda d: lc.confirm(d, OWNER, NOW)),
        ("submitted", lambda d: lc.submit(d, service, OWNER, NOW + dt.timedelta(hours=1))),
        ("processing", lambda d: lc.accept(d, service, DESK, NOW + dt.timedelta(days=1), receipt_number)),
        ("done", lambda d: lc.record_result(d, DESK, RESULT_NOTE, NOW + dt.timedelta(days=3))),
    ]
    for name, step in steps:
        if until == "draft":
            break
        dossier = store.update(step(dossier))
        if name == until:
            break
    return dossier


@pytest.fixture
def app(tmp_path, catalog):
    """The portal with a lookup limit no test here reaches, except where a test lowers it."""
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST", "LOOKUP_LIMIT_IP": "1000 per minute"})


@pytest.fixture
def found(app, household):
    store = resources.portal(app).dossiers
    return SimpleNamespace(
        done=_make(store, household, CCCD, "done"),
        waiting=_make(store, household, CCCD, "submitted"),  # no receipt number yet
        old_card=_make(store, household, CMND, "processing"),
        draft=_make(store, household, DRAFT_ONLY, "draft"),
        confirmed=_make(store, household, DRAFT_ONLY, "confirmed"),
        refused=store.update(lc.reject(_make(store, household, REFUSED_ID, "submitted"), DESK, REFUSAL,
                                       NOW + dt.timedelta(hours=5))),
        sent_back=store.update(lc.request_supplement(_make(store, household, REFUSED_ID, "submitted"), DESK,
                                                     SUPPLEMENT, NOW + dt.timedelta(hours=6))),
    )


def search(client, query: str):
    """The form filled in and sent, as the browser does: posted with the session's CSRF token."""
    return post(client, "/tra-cuu", {"q": query})


_SWITCH = re.compile(r'href="/ngon-ngu/en\?next=[^"]*"')


def without_echo(page: str, query: str) -> str:
    """The page with the typed value taken out: it is echoed in the input; the address the
    language switch comes back to is the request's own path (the detail page's receipt)."""
    echoed = f'value="{escape(query)}"'
    assert page.count(echoed) == 1, query
    assert len(_SWITCH.findall(page)) == 1
    # The session's CSRF token differs between clients, never between answers of one session.
    page = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="..."', page)
    return _SWITCH.sub('href="/ngon-ngu/en?next=..."', page.replace(echoed, 'value=""'))


# -- the page ---------------------------------------------------------------------------------

def test_the_page_has_one_labelled_field_and_a_posted_form(client):
    response = client.get("/tra-cuu")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    form = re.search(r'<form[^>]*method="post"[^>]*action="/tra-cuu"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', form)
    assert '<label for="q">Biên nhận hoặc Số CMND/CCCD</label>' in page
    assert 'id="q" name="q"' in page and 'aria-describedby="q-hint"' in page
    hint = re.search(r'<p class="hint" id="q-hint">(.*?)</p>', page).group(1)
    assert "số biên nhận" in hint and "CMND" in hint and "CCCD" in hint
    assert ">Tra cứu</button>" in page and OLD_ADDRESS not in page
    assert 'aria-live="polite"' in page and NOT_FOUND not in page and "<table" not in page


def test_the_answer_s_address_holds_no_number(client, found):
    """The answer is the page of the post: the browser's address stays /tra-cuu, and the
    language switch comes back there, not to the number."""
    response = search(client, CCCD)
    assert response.status_code == 200 and response.request.path == "/tra-cuu"
    assert response.request.query_string == b""
    assert 'href="/ngon-ngu/en?next=/tra-cuu"' in response.get_data(as_text=True)


def test_an_old_address_with_the_number_looks_nothing_up(app, client, found):
    """A bookmark of the old GET form (/tra-cuu?q=…): sent on to the empty form, with a word
    on why, whatever the value; nothing is looked up, nothing counted."""
    app.config["LOOKUP_LIMIT_IP"] = "1 per minute"
    for query in (CCCD, found.done.receipt_number, "abc"):
        response = client.get("/tra-cuu", query_string={"q": query})
        assert response.status_code == 303, query
        assert response.headers["Location"] == "/tra-cuu"  # the number leaves the address bar
        assert response.headers["Cache-Control"] == "no-store"
        page = text(client.get(response.headers["Location"]))
        assert OLD_ADDRESS in page and "“Tra cứu”" in page
        assert query not in page and 'value=""' in page
        assert "<table" not in page and NOT_FOUND not in page and "Kết quả tra cứu" not in page
    assert search(client, CCCD).status_code == 200, "the old addresses used none of the budget"
    assert text(client.get("/tra-cuu")).count(OLD_ADDRESS) == 0, "the word is said once"
    assert client.get("/tra-cuu?q=").status_code == 200  # an empty one is the form itself


def test_a_lookup_without_the_form_s_token_is_refused(client, found):
    """A post from another site (or a form kept open past its session) finds nothing."""
    for data in ({"q": CCCD}, {"q": CCCD, "csrf_token": "forged"}):
        response = client.post("/tra-cuu", data=data)
        assert response.status_code == 400
        page = text(response)
        assert "Phiên làm việc đã hết hạn" in page and found.done.receipt_number not in page and CCCD not in page


def test_an_empty_post_is_the_empty_form(client):
    page = text(search(client, "   "))
    assert 'value=""' in page and "Kết quả tra cứu" not in page and NOT_FOUND not in page


def test_the_menu_link_leads_here(client):
    assert 'href="/tra-cuu"' in client.get("/").get_data(as_text=True)


# -- by receipt number -------------------------------------------------------------------------

def test_by_receipt_number_in_any_spelling(client, found, household):
    number = found.done.receipt_number
    for typed in (number, number.lower(), number.replace("-", ""), number.replace("-", " "), f"  {number}  "):
        response = search(client, typed)
        assert response.status_code == 200, typed
        page = text(response)
        rows = re.findall(r"<tr .*?</tr>", page.split("<tbody")[1], re.S)
        assert len(rows) == 1, typed
        row = rows[0]
        for shown in (number, household.info.name, "Nguyễn T** T**** T**", "Có kết quả", "25/11/2026",
                      f'href="/tra-cuu/{number}"', "Xem chi tiết"):
            assert shown in row, (typed, shown)
        assert found.done.appointment_date.strftime("%d/%m/%Y") in row


def test_the_results_are_a_table_with_a_caption_in_a_live_region(client, found):
    page = text(search(client, found.done.receipt_number))
    region = re.search(r'<section class="lookup-results" aria-live="polite">(.*?)</section>', page, re.S).group(1)
    assert "<table" in region and "<caption>Hồ sơ tìm thấy: 1</caption>" in region
    for header in ("Biên nhận", "Dịch vụ", "Người đứng tên", "Trạng thái", "Ngày nộp", "Ngày hẹn trả kết quả"):
        assert f'<th scope="col" role="columnheader">{header}</th>' in region


# -- by ID number ------------------------------------------------------------------------------

def test_by_12_digit_id_number_with_or_without_spaces(client, found):
    for typed in (CCCD, "093 186 004 527", "093.186.004.527"):
        page = text(search(client, typed))
        assert "<caption>Hồ sơ tìm thấy: 2</caption>" in page, typed
        assert found.done.receipt_number in page and "Có kết quả" in page
        assert "Chưa có (chờ tiếp nhận)" in page and "Đã nộp, chờ tiếp nhận" in page
        assert page.count("Xem chi tiết") == 2, "every dossier found has its detail"
        assert found.old_card.receipt_number not in page


def test_by_9_digit_id_number(client, found):
    """A dossier recorded with an old CMND (made directly in the store: no new form takes a
    9-digit number since 1/1/2025) is still found by it."""
    for typed in (CMND, "093 186 004"):
        page = text(search(client, typed))
        assert "<caption>Hồ sơ tìm thấy: 1</caption>" in page and found.old_card.receipt_number in page
        assert "Đang xử lý" in page and found.done.receipt_number not in page


# -- what is never shown -------------------------------------------------------------------------

def test_names_are_masked_and_nothing_personal_is_shown(client, found):
    pages = [text(search(client, found.done.receipt_number)),
             text(client.get(f"/tra-cuu/{found.done.receipt_number}")),
             text(client.get(f"/tra-cuu/{found.old_card.receipt_number}"))]
    for page in pages:
        assert "Nguyễn T** T**** T**" in page
        for secret in SECRETS:
            assert secret not in page, secret


def test_an_id_number_search_shows_the_number_only_where_it_was_typed(client, found):
    page = search(client, CCCD).get_data(as_text=True)
    # In the field, nowhere else (not in the address the language switch comes back to).
    assert page.count(CCCD) == 1 and f'value="{CCCD}"' in page
    page = text(client.get(f"/tra-cuu/{found.done.receipt_number}"))
    assert CCCD not in page
    for secret in SECRETS:
        if secret != CCCD:
            assert secret not in page, secret


def test_drafts_and_unsent_dossiers_are_never_found(client, found):
    assert NOT_FOUND in text(search(client, DRAFT_ONLY))
    assert found.draft.receipt_number is None and found.confirmed.receipt_number is None


def test_unknown_malformed_and_wrong_values_give_the_same_page(client, found):
    number = found.done.receipt_number
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    # Two neighbours swapped: the first pair that differs (in "2611-BB3B-…" the Bs do not).
    i = next(i for i in range(5, 18) if "-" not in number[i:i + 2] and number[i] != number[i + 1])
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
    queries = [new_receipt_number(NOW.date()),  # well formed, unknown
               wrong_check, swapped, "2611-AAAA-BBBB-CCCC", "012345678901", "012345678", DRAFT_ONLY,
               "abc", "<script>alert(1)</script>", "1234567890"]
    pages = {}
    for query in queries:
        response = search(client, query)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert NOT_FOUND in text(response), query
        pages[query] = without_echo(page, query)
    assert len(set(pages.values())) == 1, "every 'not found' is the same page"
    assert "<script>alert" not in search(client, "<script>alert(1)</script>").get_data(as_text=True)


def test_an_unknown_detail_page_is_the_same_not_found_with_404(client, found):
    number = found.done.receipt_number
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    reference = without_echo(search(client, "abc").get_data(as_text=True), "abc")
    for receipt in (new_receipt_number(NOW.date()), wrong_check, "khong-co", CCCD):
        response = client.get(f"/tra-cuu/{receipt}")
        assert response.status_code == 404, receipt
        assert without_echo(response.get_data(as_text=True), receipt) == reference


# -- the detail page --------------------------------------------------------------------------

def test_the_detail_page_shows_status_dates_and_the_log(client, found, household):
    number = found.done.receipt_number
    response = client.get(f"/tra-cuu/{number}")
    assert response.status_code == 200
    page = text(response)
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    assert "Có kết quả" in facts["Trạng thái"]
    assert facts["Biên nhận"] == number
    assert facts["Dịch vụ"] == household.info.name
    assert facts["Người đứng tên"] == "Nguyễn T** T**** T**"
    assert facts["Ngày nộp"] == "25/11/2026 10:00"
    assert facts["Ngày tiếp nhận"] == "26/11/2026 09:00"
    assert facts["Ngày hẹn trả kết quả"] == found.done.appointment_date.strftime("%d/%m/%Y")
    assert facts["Ngày hoàn thành"] == "28/11/2026 09:00"
    log = re.findall(r"<li><time[^>]*>(.*?)</time> — (.*?)</li>", page)
    assert log == [("25/11/2026 10:00", "Nộp hồ sơ đến Bộ phận một cửa"),
                   ("26/11/2026 09:00", "Tiếp nhận hồ sơ"),
                   ("28/11/2026 09:00", "Có kết quả giải quyết")]
    assert "Tạo hồ sơ" not in page and "Xác nhận hồ sơ" not in page and "hẹn trả kết quả ngày" not in page


def test_the_detail_page_takes_any_spelling_of_the_number(client, found):
    number = found.old_card.receipt_number
    for typed in (number.lower(), number.replace("-", "")):
        response = client.get(f"/tra-cuu/{typed}")
        assert response.status_code == 200 and "Đang xử lý" in text(response)


def test_lookup_pages_are_not_cached_or_indexed(client, found):
    for response in (search(client, CCCD), client.get(f"/tra-cuu/{found.done.receipt_number}"),
                     client.get("/tra-cuu"), client.get("/tra-cuu", query_string={"q": CCCD}),
                     client.get(f"/tra-cuu/{CCCD}")):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Robots-Tag"] == "noindex"


# -- the detail of a dossier without a receipt number ----------------------------------------------

def _details(page: str) -> dict[str, str]:
    """The detail sections below the results, by the address of their "Xem chi tiết"."""
    return {f"#{key}": body for key, body in
            re.findall(r'<section class="lookup-detail" id="([^"]+)"[^>]*>(.*?)</section>\s*</section>', page, re.S)}


def test_a_dossier_refused_before_acceptance_shows_its_reason_and_log(client, found, household):
    page = text(search(client, REFUSED_ID))
    assert "<caption>Hồ sơ tìm thấy: 2</caption>" in page
    links = re.findall(r'<a class="view-link" href="([^"]+)">', page)
    details = _details(page)
    assert len(links) == 2 and set(links) == set(details), "each row's “Xem chi tiết” leads to its detail"
    refused = next(body for body in details.values() if "Từ chối" in body)
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", refused))
    assert "Từ chối" in facts["Trạng thái"] and facts["Biên nhận"] == "Chưa cấp"
    assert facts["Dịch vụ"] == household.info.name and facts["Người đứng tên"] == "Nguyễn T** T**** T**"
    assert facts["Ngày nộp"] == "25/11/2026 10:00" and facts["Ngày tiếp nhận"] == "—"
    assert facts["Lý do từ chối"] == REFUSAL
    log = re.findall(r"<li><time[^>]*>(.*?)</time> — (.*?)</li>", refused, re.S)
    assert log == [("25/11/2026 10:00", "Nộp hồ sơ đến Bộ phận một cửa"),
                   ("25/11/2026 14:00", f'Từ chối giải quyết hồ sơ<p class="log-note">{REFUSAL}</p>')]
    sent_back = next(body for body in details.values() if "Yêu cầu bổ sung" in body)
    assert f'Yêu cầu bổ sung hồ sơ<p class="log-note">{SUPPLEMENT}</p>' in sent_back
    assert "Lý do từ chối" not in sent_back


def test_a_dossier_waiting_for_acceptance_shows_its_status_and_log(client, found):
    page = text(search(client, CCCD))
    waiting = _details(page)
    assert len(waiting) == 1, "the accepted dossier has its own page, not a section here"
    (address, body), = waiting.items()
    assert f'href="{address}"' in page
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", body))
    assert "Đã nộp, chờ tiếp nhận" in facts["Trạng thái"] and facts["Biên nhận"] == "Chưa có (chờ tiếp nhận)"
    assert facts["Ngày hẹn trả kết quả"] == "—" and "Lý do từ chối" not in facts
    assert re.findall(r"<li><time[^>]*>(.*?)</time> — (.*?)</li>", body) == [
        ("25/11/2026 10:00", "Nộp hồ sơ đến Bộ phận một cửa")]


def test_the_details_show_nothing_private(client, found):
    page = text(search(client, REFUSED_ID))
    assert page.count(REFUSED_ID) == 1, "the ID number only in the field"
    for secret in SECRETS:  # the clerk's name, the form's content, the citizen's full name
        assert secret not in page, secret
    for dossier in (found.refused, found.sent_back):
        assert dossier.id not in page, "no internal address of the dossier"
    assert "/ho-so/" not in page and "tep" not in re.sub(r"<(script|link)[^>]*>", "", page).split("<main")[1]


def test_a_refusal_after_acceptance_shows_its_reason_on_the_receipt_s_page(app, client, household):
    store = resources.portal(app).dossiers
    dossier = store.update(lc.reject(_make(store, household, CCCD, "processing"), DESK, REFUSAL,
                                     NOW + dt.timedelta(days=2)))
    page = text(client.get(f"/tra-cuu/{dossier.receipt_number}"))
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", page))
    assert facts["Lý do từ chối"] == REFUSAL and facts["Biên nhận"] == dossier.receipt_number
    assert "hẹn trả kết quả ngày" not in page, "the acceptance's note stays private"


# -- the QR code's address -------------------------------------------------------------------------

def test_status_url_uses_public_url_outside_a_request(app, found):
    number = found.done.receipt_number
    app.config["PUBLIC_URL"] = "https://dichvucong.vithanh.gov.vn/"
    with app.app_context():  # as the print command calls it
        url = status_url(number)
    assert unquote(url) == f"https://dichvucong.vithanh.gov.vn/tra-cuu/{number}"


def test_every_check_symbol_survives_the_url(app, client, household):
    """The check symbol may be * ~ $ = or U: the helper's URL and the printed QR code's
    (renderers.pdf.lookup_url_for, which percent-encodes them) both open the dossier."""
    from renderers.pdf import lookup_url_for

    numbers: dict[str, str] = {}
    for _ in range(20_000):
        number = new_receipt_number(NOW.date())
        numbers.setdefault(number[-1] if number[-1] in "*~$=U" else "other", number)
        if len(numbers) == 6:
            break
    assert len(numbers) == 6
    store = resources.portal(app).dossiers
    app.config["PUBLIC_URL"] = "https://dichvucong.vithanh.gov.vn"
    for number in numbers.values():
        _make(store, household, CCCD, "processing", receipt_number=lambda _today, n=number: n)
        with app.app_context():
            ours = status_url(number)
        printed = lookup_url_for("https://dichvucong.vithanh.gov.vn", number)
        assert unquote(ours) == unquote(printed), number
        for url in (ours, printed):
            response = client.get(urlsplit(url).path)
            assert response.status_code == 200 and number in text(response), url


def test_status_url_without_public_url_is_the_request_s_address_and_opens_the_detail(app, client, found):
    number = found.done.receipt_number
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        url = status_url(number)
    assert url == f"http://127.0.0.1:5000/tra-cuu/{number}"
    response = client.get(url.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 200 and number in text(response)


# -- rate limit -------------------------------------------------------------------------------

def test_lookups_are_rate_limited_per_client_with_a_vietnamese_page(app, client, found):
    app.config["LOOKUP_LIMIT_IP"] = "3 per minute"
    number = found.done.receipt_number
    token = csrf_token(client, "/tra-cuu")
    for _ in range(5):  # the empty form looks nothing up: free, shown or posted empty
        assert client.get("/tra-cuu").status_code == 200
        assert client.post("/tra-cuu", data={"csrf_token": token, "q": " "}).status_code == 200
    codes = [search(client, CCCD).status_code, client.get(f"/tra-cuu/{number}").status_code,
             search(client, "abc").status_code, client.get(f"/tra-cuu/{number}").status_code,
             search(client, CCCD).status_code]
    assert codes == [200, 200, 200, 429, 429], "both pages share one budget"
    response = search(client, new_receipt_number(NOW.date()))
    assert response.status_code == 429
    page = text(response)
    assert "Quá nhiều yêu cầu" in page and "<html lang=\"vi\">" in page
    assert re.search(r"Xin vui lòng thử lại sau 1 phút \(lúc \d\d:\d\d\)", page), page
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert NOT_FOUND not in page and CCCD not in page
    other = app.test_client()  # another address is not blocked
    assert other.get(f"/tra-cuu/{number}", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(tmp_path, catalog, monkeypatch, proxies):
    monkeypatch.setenv("DVC_TRUSTED_PROXIES", str(proxies))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "LOOKUP_LIMIT_IP": "2 per minute"})
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the proxy

    def look_up(citizen: str) -> int:
        return client.get("/tra-cuu/2510-AAAA-BBBB-C", environ_base=proxy,
                          headers={"X-Forwarded-For": citizen}).status_code

    assert [look_up("203.0.113.7"), look_up("203.0.113.7"), look_up("203.0.113.7")] == [404, 404, 429]
    # Another citizen behind the same proxy: counted apart only when the proxy is trusted;
    # without that setting a forged X-Forwarded-For header changes nothing.
    assert look_up("198.51.100.9") == (404 if proxies else 429)


def test_the_daily_limit_says_which_day(app, client, found):
    app.config["LOOKUP_LIMIT_IP"] = "100 per minute;2 per day"
    for _ in range(2):
        assert search(client, CCCD).status_code == 200
    page = text(search(client, CCCD))
    assert re.search(r"thử lại lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", page), page


def test_the_default_limit_is_per_minute_and_per_day(tmp_path, catalog):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    assert app.config["LOOKUP_LIMIT_IP"] == "20 per minute;200 per day"


# -- English -----------------------------------------------------------------------------------

def test_english_page_words(client, found):
    client.set_cookie("lang", "en")
    page = text(client.get("/tra-cuu"))
    assert '<html lang="en">' in page
    for words in ("Receipt number or ID number (CMND/CCCD)", "Look up</button>"):
        assert words in page, words
    page = text(search(client, CCCD))
    for words in ("Search results", "Applications found: 2", "Not yet (waiting to be accepted)", "View details",
                  "Applicant", "Result due date"):
        assert words in page, words
    page = text(search(client, "abc"))
    assert "No application matches what you entered." in page
    page = text(search(client, REFUSED_ID))
    for words in ("Not issued", "Details of the application", "Reason for refusal"):
        assert words in page, words
    page = text(client.get(f"/tra-cuu/{found.done.receipt_number}"))
    assert "Status of application" in page and "Processing log" in page and "Completed on" in page
    assert NOT_FOUND not in text(search(client, "abc"))
