"""What every UserRepository (engine.accounts) must do, whatever keeps the data.

A backend's test module provides a ``users`` fixture (an empty repository) and imports
these tests::

    from tests.storage.users_conformance import *  # noqa: F403
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from engine.accounts import DuplicateUser, User, UserNotFound, modify
from engine.dossier import Role, new_id
from engine.repository import ConflictError

VN = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=VN)
_serial = itertools.count(100_000_000)


def make_user(**fields) -> User:
    """A valid citizen with unique username, e-mail and ID number; ``fields`` override."""
    n = next(_serial)
    values = dict(
        id=new_id(), username=f"congdan{n}", full_name="Nguyễn Thị Ánh Tuyết", email=f"congdan{n}@example.com",
        phone="0912345678", id_number=str(n), password_hash="$argon2id$placeholder", created_at=T0,
    )
    return User(**values | fields)


def test_add_then_get_preserves_every_field(users):
    user = make_user(
        role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"], active=True,
        consent_at=T0, activated_at=T0 + dt.timedelta(hours=2), sessions=["s1", "s2"], id_number="093195001234",
    )
    stored = users.add(user)
    assert stored.version == 1
    assert stored == user.model_copy(update={"version": 1})
    assert users.get(user.id) == stored
    assert users.count() == 1


def test_unknown_or_malformed_ids_and_keys_find_nothing(users):
    users.add(make_user())
    assert users.get(new_id()) is None
    assert users.get("../../etc/passwd") is None
    assert users.get_by_username("khongco") is None
    assert users.get_by_email("khongco@example.com") is None
    assert users.get_by_id_number("") is None


def test_lookups_by_each_unique_key_ignore_case(users):
    user = users.add(make_user(username="Tran.Van_Binh", email="Binh.Tran@Example.COM", id_number="093195001234"))
    assert user.username == "tran.van_binh" and user.email == "binh.tran@example.com"
    assert users.get_by_username("TRAN.VAN_BINH") == user
    assert users.get_by_email(" binh.tran@example.com ") == user
    assert users.get_by_id_number("093195001234") == user


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "Trung.Lap"), ("email", "TRUNG@example.com"), ("id_number", "093195001234")],
)
def test_a_second_account_with_a_taken_key_is_refused_and_names_it(users, field, value):
    first = users.add(make_user(**{field: value.lower() if field != "id_number" else value}))
    with pytest.raises(DuplicateUser) as refused:
        users.add(make_user(**{field: value}))
    assert refused.value.field == field
    assert users.count() == 1 and users.list() == [first]


def test_the_same_id_twice_is_refused(users):
    first = users.add(make_user())
    with pytest.raises(DuplicateUser) as refused:
        users.add(make_user(id=first.id))
    assert refused.value.field == "id"
    assert users.list() == [first]


def test_accounts_without_id_number_or_phone_do_not_collide(users):
    users.add(make_user(id_number=None, phone=None))
    users.add(make_user(id_number=None, phone=None))
    assert users.count() == 2


def test_update_increments_the_version_and_refuses_stale_copies(users):
    user = users.add(make_user())
    saved = users.update(user.model_copy(update={"full_name": "Lê Hoàng Phúc"}))
    assert saved.version == 2 and users.get(user.id) == saved
    with pytest.raises(ConflictError):
        users.update(user.model_copy(update={"full_name": "Cũ"}))
    assert users.get(user.id).full_name == "Lê Hoàng Phúc"


def test_update_of_an_unknown_user_is_refused(users):
    with pytest.raises(UserNotFound):
        users.update(make_user().model_copy(update={"version": 1}))


def test_changing_a_key_frees_the_old_one(users):
    user = users.add(make_user(email="cu@example.com"))
    users.update(user.model_copy(update={"email": "moi@example.com"}))
    assert users.get_by_email("cu@example.com") is None
    assert users.get_by_email("moi@example.com").id == user.id
    other = users.add(make_user(email="cu@example.com"))
    assert users.get_by_email("cu@example.com") == other


def test_taking_another_accounts_key_by_update_is_refused(users):
    first = users.add(make_user(email="mot@example.com"))
    second = users.add(make_user(email="hai@example.com"))
    with pytest.raises(DuplicateUser) as refused:
        users.update(second.model_copy(update={"email": "mot@example.com"}))
    assert refused.value.field == "email"
    assert users.get(second.id) == second and users.get_by_email("mot@example.com") == first


def test_list_by_role_sorted_by_username(users):
    clerk = users.add(make_user(username="canbo", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"]))
    admin = users.add(make_user(username="quantri", role=Role.ADMIN))
    citizen = users.add(make_user(username="an.nguyen"))
    assert users.list() == [citizen, clerk, admin]
    assert users.list(Role.CLERK) == [clerk]


def test_modify_reads_again_after_a_concurrent_save(users):
    user = users.add(make_user())
    calls = []

    def add_session(current: User) -> User:
        if not calls:  # another request saves in between, the first time only
            users.update(current.model_copy(update={"full_name": "Đổi ở nơi khác"}))
        calls.append(current.version)
        return current.model_copy(update={"sessions": [*current.sessions, "s"]})

    saved = modify(users, user.id, add_session)
    assert calls == [1, 2]
    assert saved.version == 3 and saved.sessions == ["s"] and saved.full_name == "Đổi ở nơi khác"
