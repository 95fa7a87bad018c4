from __future__ import annotations

from engine.prefill import prefill

PROFILE = {"full_name": "Nguyễn Thị Thanh Tâm", "id_number": "093186004527", "phone": "0939512486",
           "email": "tam@example.vn"}


def test_the_applicant_object_starts_with_the_account_details(household):
    data = prefill(household.form_schema, PROFILE)
    owner = data["owner"]
    assert (owner["fullName"], owner["idNumber"], owner["phone"], owner["email"]) == (
        "Nguyễn Thị Thanh Tâm", "093186004527", "0939512486", "tam@example.vn")
    assert owner["nationality"] == "Việt Nam", "defaults stay"


def test_every_catalogue_form_with_an_applicant_gets_the_name(catalog):
    for service in (s for s in catalog if s.has_form):
        data = prefill(service.form_schema, PROFILE)
        applicants = [v for v in data.values() if isinstance(v, dict) and v.get("fullName") == PROFILE["full_name"]]
        assert applicants, service.slug


def test_a_value_the_field_refuses_is_left_out():
    schema = {"type": "object", "properties": {"me": {"type": "object", "x-prefill": "applicant", "properties": {
        "fullName": {"type": "string"}, "personalId": {"type": "string", "format": "cccd"}}}}}
    assert prefill(schema, {**PROFILE, "id_number": "361234567"}) == {"me": {"fullName": PROFILE["full_name"]}}
    assert prefill(schema, PROFILE)["me"]["personalId"] == "093186004527"


def test_an_old_cmnd_on_the_account_is_not_prefilled(household):
    """An account stored before 2025 may hold a 9-digit CMND, which a new dossier no longer
    takes: the form starts without it, for the citizen to type the 12-digit number."""
    owner = prefill(household.form_schema, {**PROFILE, "id_number": "093186004"})["owner"]
    assert "idNumber" not in owner and owner["fullName"] == PROFILE["full_name"]
