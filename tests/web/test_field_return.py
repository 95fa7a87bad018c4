"""Return for correction, field by field: the desk's form lists the fields, the citizen's page opens only those."""

from __future__ import annotations

import re

from engine.dossier import Status
from tests.browser_form import submit as browser_submit
from tests.web.helpers import PASSWORD, login, post, text
from tests.web.test_desk import act, clock, desk, dossier, stored  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_form
from web import resources

PHONE = "/owner/phone"
SLOT = "van-ban-uy-quyen-chu-ho"


def return_for_correction(desk, dossier_id):
    return act(desk, dossier_id, "yeu-cau-bo-sung", note="Sửa các mục được đánh dấu.\nXem ghi chú từng mục.",
               corrections=[PHONE, "doc:" + SLOT], **{"corrections-note:" + PHONE: "Số điện thoại thiếu một chữ số"})


def test_the_supplement_form_lists_each_field_and_document_with_a_note(desk, dossier):
    page = desk.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    form = re.search(r'<form[^>]*yeu-cau-bo-sung.*?</form>', page, re.S).group(0)
    assert 'value="/owner/fullName"' in form and 'value="doc:giay-de-nghi"' in form
    assert "Thông tin về chủ hộ kinh doanh › Họ, chữ đệm và tên" in text_of(form)
    assert form.count('name="corrections-note:') == form.count('name="corrections"') > 20


def text_of(markup):
    import html
    return html.unescape(markup)


def test_the_citizen_sees_the_notes_and_can_change_only_the_marked_field(app, client, desk, citizen, dossier):
    assert return_for_correction(desk, dossier.id).status_code == 303
    asked = stored(app, dossier.id)
    assert asked.status == Status.SUPPLEMENT
    assert "Các mục cần sửa: Thông tin về chủ hộ kinh doanh › Số điện thoại (Số điện thoại thiếu một chữ số)" \
        in asked.log[-1].note

    login(client, citizen.username, PASSWORD)
    page = client.get(f"/ho-so/{dossier.id}/cap-nhat").get_data(as_text=True)
    shown = text(client.get(f"/ho-so/{dossier.id}/cap-nhat"))
    assert "Số điện thoại thiếu một chữ số" in shown and "Xem ghi chú từng mục." in shown  # every line of the note
    phone = re.search(r'<input[^>]*name="#/owner/phone"[^>]*>', page).group(0)
    note_id = re.search(r'<p class="correction-note" id="([^"]+)"', page).group(1)
    assert note_id in re.search(r'aria-describedby="([^"]*)"', phone).group(1) and "disabled" not in phone
    assert re.search(r'<fieldset class="locked" disabled>\s*<div[^>]*>\s*<label[^>]*>Họ, chữ đệm và tên', page)
    assert re.search(rf'<input[^>]*name="~file/uy-quyen-nop-ho-so"[^>]*disabled', page)
    assert not re.search(rf'<input[^>]*name="~file/{SLOT}"[^>]*disabled', page)

    posted = browser_submit(dossier_form(page))
    assert "#/owner/fullName" not in posted  # disabled: not sent
    posted["#/owner/phone"] = "0939512487"
    posted["#/owner/fullName"] = "Người Khác"  # a crafted POST for an unmarked field
    posted["#/capital"] = "1"
    assert client.post(f"/ho-so/{dossier.id}/cap-nhat", data=posted, content_type="multipart/form-data").status_code \
        == 302
    saved = stored(app, dossier.id)
    assert saved.data["owner"]["phone"] == "0939512487"
    assert saved.data["owner"]["fullName"] == dossier.data["owner"]["fullName"]
    assert saved.data["capital"] == dossier.data["capital"]

    assert post(client, f"/ho-so/{dossier.id}/nop", {}).status_code == 302
    back = stored(app, dossier.id)
    assert back.status == Status.SUBMITTED and back.corrections == []


def test_the_general_note_alone_leaves_the_whole_form_editable(app, client, desk, citizen, dossier):
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung văn bản ủy quyền")
    assert stored(app, dossier.id).corrections == []
    login(client, citizen.username, PASSWORD)
    page = client.get(f"/ho-so/{dossier.id}/cap-nhat").get_data(as_text=True)
    assert "Bổ sung văn bản ủy quyền" in page and 'class="locked"' not in page


def test_a_mark_outside_the_service_is_refused(app, desk, dossier):
    act(desk, dossier.id, "yeu-cau-bo-sung", note="x", corrections=["/owner/nickname"])
    assert stored(app, dossier.id).status == Status.SUBMITTED
    assert resources.portal(app).dossiers.get(dossier.id).corrections == []
