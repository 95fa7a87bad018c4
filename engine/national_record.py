"""A service folder drafted from a national-portal procedure record (``schemas import``).

:func:`convert` takes the parsed record (the portal API's answer, whose ``data`` holds
the procedure) and returns the contents of ``service.json`` and ``documents.json``, and
with ``form="draft"`` also ``form.schema.json`` and ``sample.json``, as dicts. The texts
(summary, steps, notes) are composed here from the record's facts; the record's long
descriptions are never copied. Short facts (document and result names, legal-basis
titles, conditions) are cleaned and kept. What cannot be read from the record without
guessing (e.g. a legal text's date) is left out and reported in ``Draft.warnings``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from engine.clock import VIETNAM
from engine.id_numbers import century_digit
from engine.text import fold

WARD = "phường Vị Thanh"
AGENCY_POLICE = {"code": "cong-an-phuong-vi-thanh", "name": "Công an phường Vị Thanh"}
AGENCY_COMMUNE = {"code": "ubnd-phuong-vi-thanh", "name": "Ủy ban nhân dân phường Vị Thanh"}

METHODS = {"ONLINE": "truc-tuyen", "DIRECT": "truc-tiep", "POSTAL": "buu-chinh"}
METHOD_ORDER = ("truc-tiep", "truc-tuyen", "buu-chinh")
UNITS = {"WORKING_DAY": "lam-viec", "DAY": "lich"}

# Field by promulgating ministry, when the record names no category: the names the
# catalogue's services already use.
FIELD_BY_DEPARTMENT = {
    "Bộ Công an": "Đăng ký, quản lý cư trú",
    "Bộ Xây dựng": "Hoạt động xây dựng",
    "Bộ Nông nghiệp và Môi trường": "Đất đai",
    "Bộ Tài nguyên và Môi trường": "Đất đai",
    "Bộ Tư pháp": "Hộ tịch",
}

# Well-known legal texts: number -> (issued, issuer, title). Only what the catalogue's
# services or the records themselves state; a text not here and whose date the record
# does not give is left out with a warning, never dated by guess.
KNOWN_TEXTS: dict[str, tuple[str, str, str]] = {
    "60/2014/QH13": ("2014-11-20", "Quốc hội", "Luật Hộ tịch"),
    "52/2014/QH13": ("2014-06-19", "Quốc hội", "Luật Hôn nhân và gia đình"),
    "50/2014/QH13": ("2014-06-18", "Quốc hội", "Luật Xây dựng"),
    "62/2020/QH14": ("2020-06-17", "Quốc hội", "Luật sửa đổi, bổ sung một số điều của Luật Xây dựng"),
    "68/2020/QH14": ("2020-11-13", "Quốc hội", "Luật Cư trú"),
    "72/2020/QH14": ("2020-11-17", "Quốc hội", "Luật Bảo vệ môi trường"),
    "31/2024/QH15": ("2024-01-18", "Quốc hội", "Luật Đất đai"),
    "43/2024/QH15": ("2024-06-29", "Quốc hội", "Luật sửa đổi, bổ sung một số điều của Luật Đất đai, Luật Nhà ở, "
                                              "Luật Kinh doanh bất động sản và Luật Các tổ chức tín dụng"),
    "123/2015/NĐ-CP": ("2015-11-15", "Chính phủ", "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch"),
    "87/2020/NĐ-CP": ("2020-07-28", "Chính phủ", "Nghị định quy định về Cơ sở dữ liệu hộ tịch điện tử, đăng ký hộ tịch trực tuyến"),
    "154/2024/NĐ-CP": ("2024-11-26", "Chính phủ", "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Cư trú"),
    "07/2025/NĐ-CP": ("2025-01-09", "Chính phủ", "Nghị định sửa đổi, bổ sung một số điều của các Nghị định trong lĩnh vực "
                                                "hộ tịch, quốc tịch, chứng thực"),
    "120/2025/NĐ-CP": ("2025-06-11", "Chính phủ", "Nghị định quy định về phân định thẩm quyền của chính quyền địa phương 02 cấp "
                                                 "trong lĩnh vực quản lý nhà nước của Bộ Tư pháp"),
    "18/2026/NĐ-CP": ("2026-01-14", "Chính phủ", "Nghị định sửa đổi, bổ sung một số nghị định để cắt giảm, đơn giản hóa thủ tục "
                                                "hành chính, điều kiện kinh doanh thuộc phạm vi quản lý của Bộ Tư pháp"),
    "175/2024/NĐ-CP": ("2024-12-30", "Chính phủ", "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Xây dựng "
                                                 "về quản lý hoạt động xây dựng"),
    "01/2022/TT-BTP": ("2022-01-04", "Bộ Tư pháp", "Thông tư quy định chi tiết một số điều và biện pháp thi hành Nghị định số "
                                                  "87/2020/NĐ-CP về Cơ sở dữ liệu hộ tịch điện tử, đăng ký hộ tịch trực tuyến"),
    "04/2020/TT-BTP": ("2020-05-28", "Bộ Tư pháp", "Thông tư quy định chi tiết thi hành một số điều của Luật Hộ tịch và Nghị "
                                                  "định số 123/2015/NĐ-CP"),
    "08/2025/TT-BTP": ("2025-06-12", "Bộ Tư pháp", "Thông tư quy định về phân định thẩm quyền của chính quyền địa phương 02 cấp "
                                                  "và phân cấp trong lĩnh vực quản lý nhà nước của Bộ Tư pháp"),
    "55/2021/TT-BCA": ("2021-05-15", "Bộ Công an", "Thông tư quy định chi tiết một số điều và biện pháp thi hành Luật Cư trú"),
    "56/2021/TT-BCA": ("2021-05-15", "Bộ Công an", "Thông tư quy định về biểu mẫu trong đăng ký, quản lý cư trú"),
    "57/2021/TT-BCA": ("2021-05-15", "Bộ Công an", "Thông tư quy định về quy trình đăng ký cư trú"),
    "53/2025/TT-BCA": ("2025-07-01", "Bộ Công an", "Thông tư sửa đổi, bổ sung một số điều của các Thông tư quy định chi tiết thi "
                                                  "hành Luật Cư trú và biểu mẫu trong đăng ký, quản lý cư trú"),
    "54/2025/TT-BCA": ("2025-07-01", "Bộ Công an", "Thông tư quy định về quy trình đăng ký cư trú"),
    "75/2022/TT-BTC": ("2022-12-22", "Bộ Tài chính", "Thông tư quy định mức thu, chế độ thu, nộp và quản lý lệ phí đăng ký cư trú"),
    "85/2019/TT-BTC": ("2019-11-29", "Bộ Tài chính", "Thông tư hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định của Hội đồng "
                                                    "nhân dân tỉnh, thành phố trực thuộc trung ương"),
    "281/2016/TT-BTC": ("2016-11-14", "Bộ Tài chính", "Thông tư quy định mức thu, chế độ thu, nộp, quản lý và sử dụng phí khai "
                                                     "thác, sử dụng thông tin trong cơ sở dữ liệu hộ tịch, phí xác nhận có quốc "
                                                     "tịch Việt Nam, phí xác nhận là người gốc Việt Nam, lệ phí quốc tịch"),
}

# Issuer by the number's suffix, when the record's text does not say "của ...".
ISSUERS = {"QH": "Quốc hội", "NĐ-CP": "Chính phủ", "NQ-CP": "Chính phủ", "QĐ-TTg": "Thủ tướng Chính phủ",
           "TT-BTP": "Bộ Tư pháp", "TT-BCA": "Bộ Công an", "TT-BTC": "Bộ Tài chính", "TT-BXD": "Bộ Xây dựng",
           "TT-BTNMT": "Bộ Tài nguyên và Môi trường", "TT-BNNMT": "Bộ Nông nghiệp và Môi trường",
           "TT-BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội", "TT-BNV": "Bộ Nội vụ"}
KINDS = {"QH": "Luật", "NĐ": "Nghị định", "NQ": "Nghị quyết", "QĐ": "Quyết định", "TT": "Thông tư"}

NUMBER = re.compile(r"(\d+(?:\.\d+)?/\d{4}/[A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*)")
SLASH_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
WORDS_DATE = r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
BULLET = re.compile(r"^[\s\-–+*•·.]+|^\d{1,2}[.)]\s+|^[a-zđ][.)]\s+")

NAME_MAX = 500  # ShortText
DOC_NAME_MAX = 300  # well under documents.schema.json's 600
SUMMARY_MAX = 1200
MAX_DOCUMENTS = 40
SLUG_MAX = 64

UPLOAD = {"accept": ["pdf", "jpeg", "png"], "max_size_mb": 10}


@dataclass
class Draft:
    files: dict[str, dict]
    slug: str
    warnings: list[str] = field(default_factory=list)


# --- small text helpers -------------------------------------------------------------

def clean(text: str | None) -> str:
    """One line, no bullet or numbering in front, no trailing separator."""
    text = " ".join((text or "").replace("\u200e", "").split())
    previous = None
    while previous != text:
        previous, text = text, BULLET.sub("", text).strip()
    return text.rstrip(" ;,:.").strip()


def cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def low_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym: keep it
        return text
    return text[:1].lower() + text[1:] if text else text


def shorten(text: str, limit: int) -> str:
    """The first sentence or clause when the text is long, cut at a word boundary."""
    if len(text) <= limit:
        return text
    for sep in (r"(?<![0-9])\. ", "; "):
        head = re.split(sep, text, maxsplit=1)[0]
        if 10 <= len(head) <= limit:
            return head.rstrip(" .;,:")
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    if cut.count("(") > cut.count(")"):  # no half an aside
        cut = cut[: cut.rfind("(")]
    return cut.rstrip(" ,;:") + "…"


def slug_words(text: str, limit: int) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "thu-tuc"


def unique(base: str, taken: set[str], limit: int) -> str:
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: limit - len(suffix)].rstrip("-") + suffix
        n += 1
    taken.add(slug)
    return slug


def service_name(record: dict) -> str:
    name = clean(record.get("name"))
    name = re.sub(r"^Thủ tục\s+", "", name, flags=re.IGNORECASE)
    return shorten(cap_first(name), NAME_MAX)


def slug_for(record: dict, taken: Iterable[str] = ()) -> str:
    return unique(slug_words(service_name(record), SLUG_MAX), set(taken), SLUG_MAX)


# --- time limits ------------------------------------------------------------------

@dataclass(frozen=True)
class Time:
    days: int
    count: str  # "lam-viec" / "lich"
    note: str = ""

    def text(self) -> str:
        if self.note:
            return self.note
        if self.days == 0:
            return "trong ngày làm việc"
        return f"{self.days:02d} ngày{' làm việc' if self.count == 'lam-viec' else ''}"


DAYS_IN_TEXT = re.compile(r"(\d+(?:[.,]\d+)?)\s*ngày(\s+làm\s+việc)?", re.IGNORECASE)


def _days_from_text(text: str) -> Time | None:
    found = DAYS_IN_TEXT.search(text or "")
    if not found:
        return None
    value = float(found.group(1).replace(",", "."))
    days = math.ceil(value)
    count = "lam-viec" if found.group(2) else "lich"
    note = ""
    if value != days:
        note = f"Không quá {found.group(1).replace('.', ',')} ngày{' làm việc' if found.group(2) else ''}"
    return Time(days, count, note)


def _case_times(record: dict) -> list[Time]:
    times = []
    for case in record.get("cases") or []:
        day = case.get("processingDay") or {}
        if isinstance(day.get("qty"), (int, float)) and day.get("type") in UNITS:
            times.append(Time(math.ceil(day["qty"]), UNITS[day["type"]]))
    return times


def _range(times: list[Time]) -> Time:
    """One time for several the record does not tell apart: the longest (the time limit a
    dossier must be settled within), with a note naming them all."""
    distinct = sorted(set(times), key=lambda t: (t.days, t.count))
    longest = max(distinct, key=lambda t: (t.days, t.count == "lam-viec"))
    if len(distinct) == 1:
        return longest
    listed = ", ".join(t.text() for t in distinct)
    return Time(longest.days, longest.count, f"Tối đa {longest.text()}, tùy trường hợp ({listed}).")


def method_time(entry: dict, record: dict) -> Time:
    qty, unit = entry.get("processingTime"), entry.get("processingTimeUnit")
    if isinstance(qty, (int, float)) and unit in UNITS:
        days = math.ceil(qty)
        note = ""
        if qty != days:
            note = f"Không quá {str(qty).replace('.', ',')} ngày{' làm việc' if unit == 'WORKING_DAY' else ''}"
        return Time(days, UNITS[unit], note)
    if isinstance(qty, (int, float)) and unit == "HOUR":
        if qty <= 8:
            return Time(0, "lam-viec", f"Trong {qty:g} giờ")
        return Time(math.ceil(qty / 8), "lam-viec", f"Trong {qty:g} giờ")
    if isinstance(qty, str) and (found := _days_from_text(qty)):
        return found
    if (found := _days_from_text(entry.get("description") or "")) is not None:
        return found
    if times := _case_times(record):
        return _range(times)
    return Time(0, "lam-viec", "Cổng Dịch vụ công quốc gia không công bố thời hạn giải quyết; hỏi Bộ phận một cửa.")


# --- fees -------------------------------------------------------------------------

def fee_label(description: str) -> str:
    """"- Đăng ký tạm trú theo danh sách: + Trường hợp ..." -> "Đăng ký tạm trú theo danh sách"."""
    text = clean(description)
    head = text.split(":", 1)[0] if ":" in text else ""
    head = clean(head)
    if 3 <= len(head) <= 80 and not fold(head).startswith(("mien phi", "chi tiet", "muc")):
        return head
    return ""


def method_fees(entry: dict, service: str) -> list[dict]:
    fees: list[dict] = []
    for raw in entry.get("fees") or []:
        description = raw.get("description") or ""
        value = raw.get("value")
        folded = fold(description)
        local = "hoi dong nhan dan" in folded or "bieu phi" in folded or "hdnd" in folded
        kind = "Phí" if fold(description).startswith("phi ") else "Lệ phí"
        if value in (0, None) and not local and value == 0:
            continue  # free, or an exemption: nothing to pay
        label = fee_label(description)
        name = f"{kind} {low_first(label)}" if label else f"{kind} {low_first(service)}"
        fee: dict[str, Any] = {"name": shorten(name, NAME_MAX), "amount": None if value in (0, None) else int(value)}
        if fee["amount"] is None:
            fee["note"] = "Mức thu do Hội đồng nhân dân thành phố quyết định."
        if fee not in fees:
            fees.append(fee)
    return fees


# --- cases ------------------------------------------------------------------------

def case_label(description: str) -> str:
    """"+ Đối với công trình: Không quá 15 ngày ..." -> "Công trình"."""
    text = clean(description)
    if ":" not in text:
        return ""
    head = clean(text.split(":", 1)[0])
    match = re.match(r"^(Đối với|Trường hợp)\s+(.{3,80})$", head, flags=re.IGNORECASE)
    return cap_first(match.group(2).strip()) if match else ""


def _terms(time: Time, fees: list[dict]) -> dict:
    return {"processing_days": time.days, "day_count": time.count, "processing_note": time.note, "fees": fees}


def _diff(terms: dict, base: dict) -> dict:
    return {k: v for k, v in terms.items() if v != base.get(k)}


# --- legal basis ------------------------------------------------------------------

def _date(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def dates_in(text: str) -> dict[str, str]:
    """Every "<number> ngày <date>" the text states."""
    found: dict[str, str] = {}
    for pattern in (SLASH_DATE, WORDS_DATE):
        for m in re.finditer(NUMBER.pattern + r"\s*(?:của [^,;]{0,60}?\s*)?,?\s*ngày\s*" + pattern, text):
            date = _date(m.group(2), m.group(3), m.group(4))
            if date:
                found.setdefault(m.group(1), date)
    return found


def _all_text(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _all_text(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_text(v)


def _suffix(number: str) -> str:
    return number.split("/", 2)[2] if number.count("/") >= 2 else ""


def _title(number: str, name: str) -> str:
    suffix = _suffix(number)
    kind = next((k for prefix, k in KINDS.items() if suffix.startswith(prefix)), "Văn bản")
    text = clean(name)
    # Drop "Thông tư số X ngày d/m/y của Bộ trưởng ..." in front of the trích yếu.
    text = re.sub(r"^(Luật|Nghị định|Nghị quyết|Thông tư|Quyết định)?\s*(số\s*)?" + re.escape(number), "", text,
                  flags=re.IGNORECASE).strip()
    text = re.sub(r"^(ngày\s*(" + SLASH_DATE + "|" + WORDS_DATE + r"))\s*", "", text).strip()
    text = re.sub(r"^của\s+[^:]*?(Quốc hội|Chính phủ|Bộ trưởng Bộ [^\s:,]+(\s[^\s:,]+){0,3}|Bộ [^\s:,]+(\s[^\s:,]+){0,3})\s*:?\s*",
                  "", text).strip(" :")
    if not text or len(text) < 8 or NUMBER.fullmatch(text):
        return ""
    if not fold(text).startswith(fold(kind)):
        text = f"{kind} {low_first(text)}"
    return shorten(text, 400)


def legal_bases(record: dict, warnings: list[str]) -> list[dict]:
    stated: dict[str, str] = {}
    for text in _all_text(record):
        for number, date in dates_in(text).items():
            stated.setdefault(number, date)
    bases: list[dict] = []
    seen: set[str] = set()
    for raw in record.get("legalBasisesDetails") or []:
        found = NUMBER.search(raw.get("code") or "") or NUMBER.search(raw.get("name") or "")
        if not found:
            warnings.append(f"căn cứ pháp lý không có số ký hiệu, bỏ qua: {clean(raw.get('name'))[:80]}")
            continue
        number = found.group(1).replace("đ", "Đ")
        if number in seen:
            continue
        seen.add(number)
        suffix = _suffix(number)
        if "HĐND" in suffix or "UBND" in suffix:
            warnings.append(f"bỏ văn bản của địa phương khác: {number} (thay bằng văn bản của thành phố Cần Thơ nếu có)")
            continue
        known = KNOWN_TEXTS.get(number)
        issued = stated.get(number) or (known[0] if known else None)
        if issued is None:
            warnings.append(f"không rõ ngày ban hành của {number}: bỏ căn cứ này, bổ sung tay nếu cần")
            continue
        title = (known[2] if known else "") or _title(number, raw.get("name") or "")
        if not title:
            title = _title(number, raw.get("name") or "") or f"{KINDS.get(suffix[:2], 'Văn bản')} số {number}"
        issuer = known[1] if known else next((v for k, v in ISSUERS.items() if suffix.startswith(k)), None)
        if issuer is None:
            warnings.append(f"không rõ cơ quan ban hành {number}: bỏ căn cứ này")
            continue
        bases.append({"number": number, "title": title, "issued": issued, "issuer": issuer})
    return bases


def publishing_decision(record: dict) -> dict | None:
    """The decision that published the procedure (quyết định công bố), as the record dates it."""
    proposal = record.get("procedureProposal") or {}
    number, stamp = clean(proposal.get("proposalNumber")), proposal.get("decisionDate")
    issuer = clean((proposal.get("issuingAgency") or {}).get("name"))
    if not (number and isinstance(stamp, (int, float)) and issuer):
        return None
    issued = dt.datetime.fromtimestamp(stamp / 1000, VIETNAM).date().isoformat()
    return {"number": number, "title": "Quyết định công bố thủ tục hành chính", "issued": issued, "issuer": issuer}


# --- documents --------------------------------------------------------------------

NOTE_STARTS = ("vi du", "truong hop", "luu y", "nguoi ", "doi voi giay to", "can cu", "trong thoi han", "ca nhan co quyen")


def _heading(name: str) -> tuple[str, str]:
    """(kind, note) of an executionCases heading: kind "note", "show" or "file"."""
    text = clean(name)
    folded = fold(text)
    if "luu y" in folded:
        return "note", ""
    if "xuat trinh" in folded and "nop" not in folded.split("xuat trinh")[0][-10:]:
        return "show", ""
    generic = (not text or folded.startswith(("giay to phai nop", "ho so gom", "thanh phan ho so"))
               or re.fullmatch(r"ho so [^,]* gom", folded))
    if generic:
        return "file", ""
    text = re.sub(r",?\s*(thì\s+)?(hồ sơ|thành phần hồ sơ)\s+(gồm|bao gồm)\s*$", "", text, flags=re.IGNORECASE).strip(" ,:")
    if not fold(text).startswith(("truong hop", "doi voi")):
        text = "Trường hợp " + low_first(text)
    return "file", shorten(cap_first(text), 300)


def documents(record: dict, warnings: list[str]) -> tuple[list[dict], list[str]]:
    """The documents to file, and the names of those only shown (giấy tờ xuất trình)."""
    groups = []
    shown: list[str] = []
    for case in record.get("executionCases") or []:
        kind, note = _heading(case.get("name") or "")
        if kind == "note":
            continue
        for component in case.get("profileComponents") or []:
            name = shorten(clean(component.get("name")), DOC_NAME_MAX)
            originals, copies = int(component.get("originalQty") or 0), int(component.get("copyQty") or 0)
            folded = fold(name)
            if len(name) < 3 or "luu y" in folded[:12]:
                continue
            if originals == 0 and copies == 0 and folded.startswith(NOTE_STARTS):
                continue  # an explanation, not a document
            if kind == "show":
                shown.append(name)
                continue
            if originals == 0 and copies == 0:
                originals = 1  # listed as a document with no count: one original
            groups.append((note, {"name": name, "mandatory": bool(component.get("required")),
                                  "originals": min(originals, 20), "copies": min(copies, 20)}))
    several = len({note for note, _ in groups}) > 1
    merged: list[dict] = []
    for note, doc in groups:
        same = next((d for d in merged if d["name"] == doc["name"] and d["originals"] == doc["originals"]
                     and d["copies"] == doc["copies"]), None)
        if same is not None:
            if note and same.get("note") and note not in same["note"]:
                same["note"] = shorten(f"{same['note']}; {low_first(note)}", 2000)
            elif not note:
                same.pop("note", None)
            continue
        if several and note:
            doc["note"] = note
        merged.append(doc)
    if len(merged) > MAX_DOCUMENTS:
        warnings.append(f"hồ sơ có {len(merged)} giấy tờ; giữ {MAX_DOCUMENTS} giấy tờ đầu")
        merged = merged[:MAX_DOCUMENTS]
    taken: set[str] = set()
    for doc in merged:
        doc["id"] = unique(slug_words(doc["name"], 40), taken, 60)
    return [{"id": d.pop("id"), **d} for d in merged], shown


# --- the service ------------------------------------------------------------------

def agency(record: dict) -> dict:
    return dict(AGENCY_POLICE if record.get("departmentPromulgateName") == "Bộ Công an" else AGENCY_COMMUNE)


def field_name(record: dict) -> str:
    names = [(record.get("category") or {}).get("name")] + [c.get("name") for c in record.get("categoriesDetails") or []]
    name = next((clean(n) for n in names if n and clean(n)), "")
    if name:
        return name
    department = record.get("departmentPromulgateName") or ""
    return FIELD_BY_DEPARTMENT.get(department) or clean(department) or "Khác"


def result_text(record: dict) -> str:
    names = [clean(r.get("name")) for r in record.get("resultsDetails") or []]
    kept = [n for n in names if n and "tu choi" not in fold(n)] or [n for n in names if n]
    kept = list(dict.fromkeys(kept))
    return shorten("; ".join(kept) or "Văn bản trả lời của cơ quan giải quyết", NAME_MAX)


def _method_phrase(methods: list[str], where: str) -> str:
    parts = {"truc-tiep": f"trực tiếp tại Bộ phận một cửa của {where}",
             "truc-tuyen": "trực tuyến trên Cổng Dịch vụ công",
             "buu-chinh": "qua dịch vụ bưu chính"}
    listed = [parts[m] for m in methods]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " hoặc " + listed[-1]


def _time_phrase(info: dict) -> str:
    if info["cases"]:
        return "trong thời hạn " + "; ".join(
            f"{Time(c['processing_days'], c['day_count']).text()} đối với {low_first(c['name'])}" for c in info["cases"])
    note = info["processing_note"].rstrip(".")
    if note.startswith("Cổng"):
        return "trong thời hạn ghi trên giấy hẹn trả kết quả"
    if note.startswith("Trong"):
        return low_first(note)
    if note:
        return "trong thời hạn " + low_first(note)
    return "trong thời hạn " + Time(info["processing_days"], info["day_count"]).text()


def _return_phrase(methods: list[str]) -> str:
    places = (["tại Bộ phận một cửa"] if "truc-tiep" in methods else []) + (
        ["trên tài khoản Cổng Dịch vụ công"] if "truc-tuyen" in methods else []) + (
        ["qua dịch vụ bưu chính"] if "buu-chinh" in methods else [])
    if len(places) == 1:
        return places[0] + "."
    return ", ".join(places[:-1]) + " hoặc " + places[-1] + ", theo cách đã chọn khi nộp hồ sơ."


def steps(info: dict) -> list[dict]:
    where = info["agency"]["name"]
    methods = info["methods"]
    paid = bool(info["fees"]) or any(t.get("fees") for t in info["by_method"].values()) or any(
        c.get("fees") for c in info["cases"])
    out = [
        {"title": "Nộp hồ sơ",
         "description": f"Người yêu cầu chuẩn bị hồ sơ theo danh sách giấy tờ và nộp {_method_phrase(methods, where)}."},
        {"title": "Tiếp nhận hồ sơ",
         "description": "Cán bộ tiếp nhận kiểm tra hồ sơ: hồ sơ đầy đủ, hợp lệ thì được tiếp nhận và hẹn ngày trả kết "
                        "quả; hồ sơ chưa đầy đủ thì được hướng dẫn bổ sung một lần."},
        {"title": "Giải quyết",
         "description": f"{where} xem xét, giải quyết hồ sơ {_time_phrase(info)}"
                        + ("; người yêu cầu nộp phí, lệ phí theo quy định." if paid else ".")},
        {"title": "Trả kết quả",
         "description": "Người yêu cầu nhận kết quả " + _return_phrase(methods)},
    ]
    return out


def summary(info: dict) -> str:
    applicants = ", ".join(low_first(a) for a in info["applicants"][:4])
    text = (f"Thủ tục {low_first(info['name'])} thuộc lĩnh vực {info['field']}, do {info['agency']['name']} giải quyết "
            f"cho {applicants}. "
            f"Kết quả: {low_first(info['result'])}.")
    return shorten(text, SUMMARY_MAX)


def conditions(record: dict, shown: list[str]) -> list[str]:
    lines = []
    for line in re.split(r"\n+|(?:^|\s)-\s+(?=[A-ZĐÀ-Ỹ])", record.get("requirementsAndConditions") or ""):
        line = clean(line)
        if len(line) >= 10:
            line = shorten(line, 600)
            lines.append(line if line.endswith("…") else line + ".")
    if shown:
        names = [shorten(low_first(n), 200).rstrip(".") for n in dict.fromkeys(shown)]
        line = shorten("Xuất trình (không nộp): " + "; ".join(names), 4000)
        lines.append(line if line.endswith("…") else line + ".")
    return lines


def _groups(record: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in record.get("executionMethods") or []:
        method = METHODS.get(entry.get("submissionMethod"))
        if method is None or (method == "truc-tuyen" and record.get("isOfflineOnly")):
            continue
        out.setdefault(method, []).append(entry)
    return {m: out[m] for m in METHOD_ORDER if m in out}


def service(record: dict, form: str, warnings: list[str], shown: list[str]) -> dict:
    name = service_name(record)
    groups = _groups(record)
    if not groups:
        warnings.append("hồ sơ không nêu cách thức thực hiện: ghi 'truc-tiep'")
        groups = {"truc-tiep": [{}]}
    methods = list(groups)
    base = methods[0]

    # Per method: either one set of terms, or one per case label.
    per_method: dict[str, dict[str, dict]] = {}
    labelled = all(len(entries) > 1 and all(case_label(e.get("description") or "") for e in entries)
                   for entries in groups.values())
    for method, entries in groups.items():
        if labelled:
            per_method[method] = {case_label(e.get("description") or ""): _terms(method_time(e, record),
                                                                                 method_fees(e, name)) for e in entries}
        else:
            times = [method_time(e, record) for e in entries]
            fees = [f for e in entries for f in method_fees(e, name)]
            per_method[method] = {"": _terms(_range(times), list({repr(f): f for f in fees}.values()))}

    info: dict[str, Any] = {"code": record.get("code") or record.get("codeNotation"), "name": name,
                            "field": field_name(record), "agency": agency(record), "level": 1}
    applicants = [shorten(clean(s.get("name")), NAME_MAX) for s in record.get("subjectTypesDetails") or []]
    info["applicants"] = list(dict.fromkeys(a for a in applicants if a)) or ["Cá nhân, tổ chức có yêu cầu"]
    info["result"] = result_text(record)

    cases: list[dict] = []
    if labelled and len({label for terms in per_method.values() for label in terms}) > 1:
        labels = list(dict.fromkeys(label for terms in per_method.values() for label in terms))
        taken: set[str] = set()
        longest = None
        for label in labels:
            own = per_method[base].get(label) or next(t[label] for t in per_method.values() if label in t)
            case = {"id": unique(slug_words(label, 40), taken, 60), "name": shorten(label, NAME_MAX),
                    **{k: v for k, v in own.items() if k != "processing_note" or v}}
            by_method = {m: d for m in methods if m != base and label in per_method[m]
                         and (d := _diff(per_method[m][label], own))}
            if by_method:
                case["by_method"] = by_method
            cases.append(case)
            if longest is None or own["processing_days"] > longest["processing_days"]:
                longest = own
        own_terms = dict(longest, fees=[])
        own_terms["processing_note"] = "Tùy trường hợp: " + "; ".join(
            f"{Time(c['processing_days'], c['day_count']).text()} đối với {low_first(c['name'])}" for c in cases) + "."
        by_method_terms: dict[str, dict] = {}
    else:
        own_terms = next(iter(per_method[base].values()))
        by_method_terms = {m: d for m in methods[1:] if (d := _diff(next(iter(per_method[m].values())), own_terms))}
    info.update(summary="", applicants=info["applicants"], conditions=conditions(record, shown), methods=methods,
                steps=[], processing_days=own_terms["processing_days"], day_count=own_terms["day_count"],
                processing_note=own_terms["processing_note"], fees=own_terms["fees"], by_method=by_method_terms,
                cases=cases)
    info["legal_basis"] = legal_bases(record, warnings)
    if not info["legal_basis"] and (decision := publishing_decision(record)):
        info["legal_basis"] = [decision]
        warnings.append(f"không còn căn cứ pháp lý nào có đủ số, ngày, cơ quan ban hành: ghi quyết định công bố "
                        f"thủ tục {decision['number']} của {decision['issuer']}; thay bằng căn cứ áp dụng tại Cần Thơ")
    keywords = [clean(g.get("name")) for g in record.get("serviceGroupsDetails") or []]
    keywords += [clean(k) for k in (record.get("keywords") or "").split(",")]
    info["keywords"] = [k for k in dict.fromkeys(keywords) if k and fold(k) != fold(name)][:10]
    info["summary"] = summary(info)
    info["steps"] = steps(info)
    if form == "draft" and "truc-tuyen" in methods:
        info["level"] = 3
    elif form == "draft":
        info["level"] = 2
    if form == "draft" and cases:
        info["case_field"] = "/case"
    if isinstance(record.get("updatedAt"), (int, float)):  # milliseconds since the epoch
        updated = dt.datetime.fromtimestamp(record["updatedAt"] / 1000, VIETNAM)
        info["record_updated"] = updated.date().isoformat()
    ordered = ["code", "record_updated", "name", "field", "agency", "level", "summary", "applicants", "conditions", "methods", "steps",
               "processing_days", "day_count", "processing_note", "fees", "by_method", "cases", "case_field", "result",
               "legal_basis", "keywords"]
    return {k: info[k] for k in ordered if k in info and info[k] not in ([], {}, "")
            or k in ("processing_days", "fees")}


# --- the draft form ---------------------------------------------------------------

DEFS = "../_defs/common.schema.json#/$defs/"


def form_schema(info: dict, docs: list[dict]) -> dict:
    requester = {
        "title": "Người yêu cầu",
        "x-id-number-matches": {"id_number": "/personalId", "birth_date": "/birthDate", "sex": "/gender"},
        "x-prefill": "applicant",
        "type": "object",
        "required": ["fullName", "birthDate", "gender", "personalId", "phone"],
        "properties": {
            "fullName": {"$ref": DEFS + "fullName"},
            "birthDate": {"$ref": DEFS + "birthDate"},
            "gender": {"$ref": DEFS + "gender"},
            "personalId": {"$ref": DEFS + "personalId"},
            "phone": {"$ref": DEFS + "phone"},
            "email": {"$ref": DEFS + "email"},
            "currentAddress": {"title": "Nơi ở hiện tại", "$ref": DEFS + "address"},
        },
    }
    properties: dict[str, Any] = {"requester": requester}
    required = ["requester"]
    order = ["requester"]
    if info.get("cases"):
        properties["case"] = {"title": "Trường hợp", "type": "string",
                              "oneOf": [{"const": c["id"], "title": c["name"]} for c in info["cases"]]}
        required.append("case")
        order.append("case")
    properties["content"] = {"title": "Nội dung yêu cầu",
                             "description": f"Ghi rõ nội dung đề nghị {low_first(info['name'])}.",
                             "type": "string", "minLength": 10, "maxLength": 2000, "x-widget": "textarea"}
    properties["commitment"] = {"$ref": DEFS + "commitment"}
    required += ["content", "commitment"]
    order += ["content", "commitment"]
    title = next((d["name"] for d in docs if d.get("from_form")), f"Đề nghị {low_first(info['name'])}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": shorten(title, 200),
        "description": "Bản nháp tạo từ hồ sơ thủ tục trên Cổng Dịch vụ công quốc gia; tác giả bổ sung các trường "
                       "của mẫu đơn, tờ khai.",
        "type": "object",
        "required": required,
        "properties": properties,
        "x-order": order,
    }


def _sample_id(birth: dt.date, sex: str) -> str:
    return "093" + century_digit(birth.year, sex) + f"{birth.year % 100:02d}" + "004127"


def sample(info: dict) -> dict:
    birth = dt.date(1988, 4, 17)
    data: dict[str, Any] = {
        "requester": {
            "fullName": "Trần Thị Mỹ Linh",
            "birthDate": birth.isoformat(),
            "gender": "nu",
            "personalId": _sample_id(birth, "female"),
            "phone": "0939412786",
            "email": "mylinh.tran88@gmail.com",
            "currentAddress": {"province": "Thành phố Cần Thơ", "ward": "Phường Vị Thanh",
                               "street": "Số 41, đường Trần Hưng Đạo, khu vực 2"},
        },
    }
    if info.get("cases"):
        data["case"] = info["cases"][0]["id"]
    data["content"] = f"Đề nghị {low_first(info['name'])} cho bản thân tôi."
    data["commitment"] = True
    return data


# --- entry point ------------------------------------------------------------------

def convert(raw: dict, form: str = "none", taken_slugs: Iterable[str] = (), slug: str | None = None) -> Draft:
    """The files of a service folder for one record (``raw``: the API answer or its ``data``)."""
    if form not in ("none", "draft"):
        raise ValueError(f"form must be 'none' or 'draft', not {form!r}")
    record = raw.get("data") if isinstance(raw.get("data"), dict) else raw
    if not isinstance(record, dict) or not record.get("code"):
        raise ValueError("không phải hồ sơ thủ tục của Cổng Dịch vụ công quốc gia (thiếu 'data.code')")
    warnings: list[str] = []
    docs, shown = documents(record, warnings)
    info = service(record, form, warnings, shown)
    if not docs:
        warnings.append("hồ sơ không nêu giấy tờ phải nộp: ghi đơn đề nghị, tác giả kiểm tra lại")
        docs = [{"id": "don-de-nghi", "name": f"Đơn đề nghị {low_first(info['name'])}", "mandatory": True,
                 "originals": 1, "copies": 0}]
    files: dict[str, dict] = {"service.json": info}
    if form == "draft":
        for doc in docs:
            if fold(doc["name"]).startswith(("to khai", "don ")) and not any(d.get("from_form") for d in docs):
                doc["from_form"] = True
                doc["note"] = (doc.get("note", "") + "; " if doc.get("note") else "") + "Được tạo từ Biểu mẫu nhập liệu."
            elif not doc.get("from_form"):
                doc["upload"] = dict(UPLOAD, required=doc["mandatory"])
        files["documents.json"] = {"documents": docs}
        files["form.schema.json"] = form_schema(info, docs)
        files["sample.json"] = sample(info)
    else:
        files["documents.json"] = {"documents": docs}
    return Draft(files, slug or slug_for(record, taken_slugs), warnings)
