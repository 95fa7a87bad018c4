"""Archival and accessible PDFs (issue 16): PDF/A-3 level A with the dossier's JSON as an
associated file, tagged for screen readers and identified as PDF/UA-1, read back with pypdf
the way an archive's or a screen reader's software reads them."""

from __future__ import annotations

import json
from collections import Counter
from xml.dom.minidom import parseString

import pytest

from engine import log_chain
from engine.dossier import LogEntry, Role, Status
from renderers import slips
from renderers.pdf import (DOSSIER_JSON_FORMAT, dossier_json_name, render_blank_pdf, render_dossier_pdf,
                           render_receipt_pdf)
from renderers.signing import load_key, sign_pdf
from tests.renderers.pdf_helpers import ACCEPTED_AT, LOOKUP_URL, RECEIPT, accepted_dossier, pages_text, reader
from tests.renderers.signing_helpers import AGENCY, PASSPHRASE, make_pki, signatures

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def sealed(dossier):
    """``dossier`` with a two-entry hash-chained log, as the desk leaves it (engine.log_chain)."""
    log, previous = [], log_chain.genesis(dossier.id)
    for action, at, status in (("submit", ACCEPTED_AT, Status.SUBMITTED), ("accept", ACCEPTED_AT, Status.PROCESSING)):
        entry = log_chain.seal(previous, LogEntry(at=at, actor="clerk-1", actor_name="Trần Văn Bình", role=Role.CLERK,
                                                  action=action, status_to=status), dossier)
        log.append(entry)
        previous = entry.hash
    return dossier.model_copy(update={"log": log})


@pytest.fixture(scope="module")
def dossier(household):
    return sealed(accepted_dossier(household))


@pytest.fixture(scope="module")
def printed(household, dossier):
    return render_dossier_pdf(household, dossier, LOOKUP_URL)


def xmp_attributes(data: bytes) -> dict[tuple[str, str], str]:
    """Every (namespace, name) -> value said about the document in its XMP packet, whether
    written as an attribute or as a simple element (pyHanko rewrites the packet in the latter style)."""
    root = reader(data).trailer["/Root"]
    dom = parseString(root["/Metadata"].get_object().get_data())
    found = {}
    for description in dom.getElementsByTagNameNS(RDF, "Description"):
        for i in range(description.attributes.length):
            attribute = description.attributes.item(i)
            if attribute.namespaceURI not in (RDF, "http://www.w3.org/2000/xmlns/"):
                found[(attribute.namespaceURI, attribute.localName)] = attribute.value
    for title in dom.getElementsByTagNameNS(DC, "title"):
        found[(DC, "title")] = title.getElementsByTagNameNS(RDF, "li")[0].firstChild.data
    return found


def structure(data: bytes) -> list:
    """Every element of the structure tree, depth first."""
    root = reader(data).trailer["/Root"]
    elements, todo = [], [root["/StructTreeRoot"].get_object()]
    while todo:
        node = todo.pop()
        if node.get("/Type") == "/StructElem":
            elements.append(node)
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
                todo.append(kid)
    return elements


def embedded(data: bytes) -> dict[str, dict]:
    """The catalog's associated files (/AF), by name: the file spec and the file's bytes."""
    root = reader(data).trailer["/Root"]
    files = {}
    for spec in root.get("/AF", []):
        spec = spec.get_object()
        stream = spec["/EF"]["/F"].get_object()
        files[str(spec["/UF"])] = {"spec": spec, "subtype": stream["/Subtype"], "bytes": stream.get_data()}
    return files


def test_the_dossier_pdf_claims_pdf_a_3a_and_pdf_ua_1_with_its_title(printed, household, dossier):
    said = xmp_attributes(printed)
    assert said[(PDFAID, "part")] == "3" and said[(PDFAID, "conformance")] == "A"
    assert said[(PDFUAID, "part")] == "1"
    title = f"{household.title} — hồ sơ {RECEIPT}"
    assert said[(DC, "title")] == title and reader(printed).metadata.title == title
    root = reader(printed).trailer["/Root"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True  # the viewer shows the title, not a file name
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert printed.startswith(b"%PDF-1.7")


def test_the_dossier_pdf_is_tagged_in_vietnamese_with_headings_tables_and_the_qr_codes_text(printed, household):
    root = reader(printed).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True and root["/Lang"] == "vi"
    elements = structure(printed)
    kinds = Counter(str(e["/S"]) for e in elements)
    assert kinds["/Document"] == 1 and kinds["/H1"] == 1 and kinds["/H2"] >= 1  # the form's title, "Thành phần hồ sơ"
    assert kinds["/Table"] >= 1 and kinds["/TH"] >= 4
    # The documents table: its header cells have IDs and its data cells name them (read with each cell).
    header_ids = {str(e["/ID"]) for e in elements if e["/S"] == "/TH" and "/ID" in e}
    headed = [e for e in elements if e["/S"] == "/TD" and e["/A"].get("/Headers")]
    assert header_ids and headed and all({str(h) for h in e["/A"]["/Headers"]} <= header_ids for e in headed)
    [qr] = [e for e in elements if e["/S"] == "/Figure"]
    assert qr["/Alt"] == f"Mã QR tra cứu tình trạng hồ sơ: {LOOKUP_URL}"
    assert "Mã QR tra cứu" not in " ".join(pages_text(printed))  # the alternate text is read aloud, never printed


def test_the_dossier_pdf_carries_the_dossiers_data_as_an_associated_json_file(printed, household, dossier):
    files = embedded(printed)
    assert list(files) == [dossier_json_name(dossier)] == [f"ho-so-{dossier.id}.json"]
    attached = files[f"ho-so-{dossier.id}.json"]
    assert attached["spec"]["/AFRelationship"] == "/Data" and attached["subtype"] == "/application/json"
    assert list(reader(printed).attachments) == [f"ho-so-{dossier.id}.json"]  # also in the EmbeddedFiles name tree
    carried = json.loads(attached["bytes"])
    assert carried["format"] == DOSSIER_JSON_FORMAT
    assert carried["data"] == dossier.data == household.sample
    assert carried["service"]["code"] == household.info.code
    assert carried["service"]["version"] == dossier.service_version
    assert carried["dossier"]["id"] == dossier.id and carried["dossier"]["receipt_number"] == RECEIPT
    assert carried["dossier"]["status"] == "processing" and carried["dossier"]["appointment_date"] == "2026-12-07"
    assert carried["attachments"]["van-ban-uy-quyen-chu-ho"]["sha256"] == "0" * 64
    assert carried["checklist"] == ["uy-quyen-nop-ho-so"]
    assert [e["hash"] for e in carried["log"]] == [e.hash for e in dossier.log]
    assert carried["log_seal"] == dossier.log[-1].hash == log_chain.last_hash(dossier)
    assert all("actor_name" not in e and "note" not in e for e in carried["log"])  # hashes, not the desk's notes


def test_a_draft_dossier_carries_its_own_data_too(household):
    draft = accepted_dossier(household, status=Status.DRAFT, receipt_number=None, accepted_at=None,
                             appointment_date=None, data={"ho-ten": "Lê Thị Hoa"})
    data = render_dossier_pdf(household, draft, None)
    carried = json.loads(embedded(data)[f"ho-so-{draft.id}.json"]["bytes"])
    assert carried["data"] == {"ho-ten": "Lê Thị Hoa"} and carried["dossier"]["receipt_number"] is None
    assert carried["log"] == [] and carried["log_seal"] is None
    assert not [e for e in structure(data) if e["/S"] == "/Figure"]  # no receipt, no QR code


@pytest.mark.parametrize("kind", ["receipt", "slip-02", "blank"])
def test_the_receipt_the_slips_and_the_blank_form_are_tagged_pdf_a_without_attachment(household, kind):
    dossier = accepted_dossier(household, log=[LogEntry(
        at=ACCEPTED_AT, actor="clerk-1", actor_name="Trần Văn Bình", role=Role.CLERK, action="request_supplement",
        note="Bản sao hợp đồng thuê địa điểm", status_from=Status.PROCESSING, status_to=Status.SUPPLEMENT)])
    data = {"receipt": lambda: render_receipt_pdf(household, dossier, "Lê Văn Hùng", LOOKUP_URL),
            "slip-02": lambda: slips.render_slip_pdf(household, "yeu-cau-bo-sung", dossier),
            "blank": lambda: render_blank_pdf(household)}[kind]()
    said = xmp_attributes(data)
    assert (said[(PDFAID, "part")], said[(PDFAID, "conformance")], said[(PDFUAID, "part")]) == ("3", "A", "1")
    root = reader(data).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True and root["/Lang"] == "vi"
    kinds = Counter(str(e["/S"]) for e in structure(data))
    assert kinds["/H1"] == 1 and kinds["/Table"] >= 1
    assert said[(DC, "title")] == reader(data).metadata.title != ""
    assert embedded(data) == {}


def test_a_signed_dossier_pdf_keeps_its_attachment_tags_and_claims(printed, dossier, tmp_path):
    pki = make_pki(tmp_path)
    key = load_key(AGENCY, pki.p12.read_bytes(), PASSPHRASE.encode())
    signed = sign_pdf(printed, key, "Bản in hồ sơ", "Vị Thanh")
    [status] = signatures(signed, pki.ca)
    assert status.intact and status.valid and status.bottom_line
    carried = json.loads(embedded(signed)[f"ho-so-{dossier.id}.json"]["bytes"])
    assert carried["data"] == dossier.data
    said = xmp_attributes(signed)  # pyHanko rewrites the XMP packet in its incremental update, claims kept
    assert (said[(PDFAID, "part")], said[(PDFAID, "conformance")], said[(PDFUAID, "part")]) == ("3", "A", "1")
    root = reader(signed).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True and root["/Lang"] == "vi"
    assert Counter(str(e["/S"]) for e in structure(signed)) == Counter(str(e["/S"]) for e in structure(printed))


def test_the_e_result_is_archival_and_tagged_and_carries_the_dossier(catalog):
    import copy

    from engine import lifecycle
    from engine.dossier import Actor
    from renderers.e_result import render_e_result_pdf

    service = catalog["xac-nhan-thong-tin-ve-cu-tru"]
    dossier = lifecycle.create(service, Actor(id="u1", name="Võ Thành Đạt", role=Role.CITIZEN),
                               copy.deepcopy(service.sample), ["to-khai-ct01"], ACCEPTED_AT, "093203006728")
    dossier = dossier.model_copy(update={"receipt_number": RECEIPT})
    result = render_e_result_pdf(service, dossier, "Thường trú tại phường Vị Thanh", "Lê Văn Hùng", ACCEPTED_AT)
    said = xmp_attributes(result)
    assert said[(PDFAID, "part")] == "3" and said[(PDFAID, "conformance")] == "A" and said[(PDFUAID, "part")] == "1"
    assert said[(DC, "title")] == f"XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ — {RECEIPT}"
    kinds = Counter(str(e["/S"]) for e in structure(result))
    assert kinds["/H1"] == 1
    carried = json.loads(embedded(result)[f"ho-so-{dossier.id}.json"]["bytes"])
    assert carried["data"] == service.sample and carried["service"]["code"] == service.info.code
