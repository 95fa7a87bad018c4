"""engine.accounts: the user model's rules, passwords, sessions and single-use link nonces."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from engine.accounts import (
    MAX_SESSIONS, Passwords, User, check_password, check_username, link_consumed, to_actor, with_password,
    with_session, without_session,
)
from engine.dossier import Actor, Role, new_id
from engine.formats import FormatProblem

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def user(**fields) -> User:
    values = dict(id=new_id(), username="congdan", full_name="Nguyễn Văn An", email="an@example.com",
                  password_hash="x", created_at=T0)
    return User(**values | fields)


def test_username_and_email_are_stored_lowercase():
    u = user(username=" Nguyen.An_1 ", email="An.Nguyen@Example.COM")
    assert (u.username, u.email) == ("nguyen.an_1", "an.nguyen@example.com")


@pytest.mark.parametrize(
    "fields",
    [{"username": "abc"}, {"username": "x" * 33}, {"username": "nguyễn"}, {"username": "an-nguyen"},
     {"email": "an@"}, {"id_number": "12345"}, {"phone": "12345"}],
)
def test_the_model_refuses_malformed_values(fields):
    with pytest.raises(ValidationError):
        user(**fields)


def test_defaults_of_a_new_account():
    u = user()
    assert u.role == Role.CITIZEN and not u.active and u.sessions == [] and u.version == 0
    assert len(u.token_nonce) >= 16 and u.token_nonce != user().token_nonce


@pytest.mark.parametrize(
    ("password", "username", "message"),
    [("ngan25", "congdan", "ít nhất 10"), ("1234567890", "congdan", "chỉ gồm chữ số"),
     ("CongDan2025", "congdan2025", "trùng với tên truy cập"),  # case does not make it another
     ("password12", "congdan", "quá dễ đoán"), ("matkhau123", "congdan", "quá dễ đoán"),  # common, in two languages
     ("congdan1990", "congdan", "quá dễ đoán"), ("anhyeuem2025", "congdan", "quá dễ đoán")],
)
def test_password_rules(password, username, message):
    with pytest.raises(FormatProblem, match=message):
        check_password(password, username)


def test_good_password_and_username():
    check_password("an-toan-2025", "congdan")
    check_username("an.nguyen_85")


def test_to_actor():
    clerk = user(role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"])
    assert to_actor(clerk) == Actor(id=clerk.id, name="Nguyễn Văn An", role=Role.CLERK,
                                    agencies=frozenset({"ubnd-phuong-vi-thanh"}))


def test_sessions_keep_the_newest_few():
    u = user()
    for i in range(MAX_SESSIONS + 2):
        u = with_session(u, f"s{i}")
    assert u.sessions == [f"s{i}" for i in range(2, MAX_SESSIONS + 2)]
    assert without_session(u, "s5").sessions == [s for s in u.sessions if s != "s5"]


def test_a_new_password_voids_links_and_other_sessions():
    u = with_session(with_session(user(), "a"), "b")
    changed = with_password(u, "new-hash", keep_session="b")
    assert changed.password_hash == "new-hash" and changed.sessions == ["b"]
    assert changed.token_nonce != u.token_nonce
    assert with_password(u, "h").sessions == []
    assert link_consumed(u).token_nonce != u.token_nonce


def test_passwords_hash_verify_and_rehash():
    cheap, strong = Passwords("CHEAPEST"), Passwords()
    hashed = cheap.hash("an-toan-2025")
    assert hashed.startswith("$argon2id$") and cheap.verify(hashed, "an-toan-2025")
    assert not cheap.verify(hashed, "sai") and not cheap.verify("khong-phai-hash", "an-toan-2025")
    assert not cheap.verify(None, "an-toan-2025")  # unknown user: same work, always False
    assert not cheap.needs_rehash(hashed) and strong.needs_rehash(hashed)
    assert strong.verify(hashed, "an-toan-2025")  # the parameters are read from the hash


def test_a_password_made_of_the_owner_s_name_is_refused():
    with pytest.raises(FormatProblem, match="quá dễ đoán"):
        check_password("nguyenthuha", "congdan", ["Nguyễn Thu Hà", "thuha@example.com"])
    with pytest.raises(FormatProblem, match="quá dễ đoán"):
        check_password("thuha@example.com", "congdan", ["Nguyễn Thu Hà", "thuha@example.com"])
    check_password("hoa-sen-tim-1987", "congdan", ["Nguyễn Thu Hà", "thuha@example.com"])


@pytest.mark.parametrize("profile", ["RFC_9106_LOW_MEMORY", "CHEAPEST"])
def test_an_unknown_username_is_verified_against_a_hash_of_the_same_cost(profile):
    """The decoy (verified when nobody has the username) has the profile's parameters, so
    it takes as long as a real account's wrong password; no password matches it."""
    import argon2

    from engine.accounts import Passwords

    passwords = Passwords(profile)
    assert argon2.extract_parameters(passwords._decoy) == argon2.extract_parameters(passwords.hash("mat-khau-2025"))
    assert passwords.verify(None, "mat-khau-2025") is False
    assert Passwords(profile)._decoy != passwords._decoy  # a salt of its own
