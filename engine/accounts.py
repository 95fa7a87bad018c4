"""Accounts: who may sign in, how passwords are kept, and the storage interface for users.

A citizen registers an inactive account and activates it from an e-mail; clerks and
administrators are created by an operator (``dichvucong users create``). The web layer
keeps server-side sessions in ``User.sessions`` so that signing out (or changing the
password) makes a copied session cookie useless, and signs single-use links with
``User.token_nonce``: rotating it voids every link issued before.

A new e-mail address is not taken at once: it waits in ``User.pending_email`` until the
link sent to it is followed (``with_email_change_requested``, ``with_email_confirmed``),
so that a stolen session cannot redirect password-reset mail to another inbox.

The checks below raise :class:`engine.formats.FormatProblem` with a Vietnamese
template (``{title}`` is the field's label), like the formats of service forms.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Literal, Protocol

import argon2
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, field_validator
from zxcvbn import zxcvbn

from engine import formats
from engine.dossier import Actor, Role
from engine.formats import FormatProblem
from engine.repository import ConflictError
from engine.text import fold

MAX_SESSIONS = 10  # signing in on an eleventh device ends the oldest session
USERNAME_PATTERN = re.compile(r"[a-z0-9._]{4,32}")
PASSWORD_MIN_LENGTH = 10
# zxcvbn's score, 0 to 4: below 2 a password falls to an online guesser within about a
# million tries (its lists of common passwords, names, dates, keyboard walks, l33t).
PASSWORD_MIN_SCORE = 2
# What Vietnamese passwords are often made of, which zxcvbn's English lists do not know.
COMMON_WORDS = ("matkhau", "anhyeuem", "emyeuanh", "yeuem", "vietnam", "hanoi", "saigon", "hochiminh", "haugiang",
                "vithanh", "dichvucong", "congdan", "canbo", "quantri")
UniqueField = Literal["username", "email", "id_number"]
ROLE_LABELS = {Role.CITIZEN: "Công dân", Role.CLERK: "Cán bộ", Role.ADMIN: "Quản trị viên", Role.SYSTEM: "Hệ thống"}


def lookup_key(field: UniqueField, value: str) -> str:
    """A username, e-mail address or ID number as accounts store it (the model's
    validators), so that every backend's ``get_by_*`` finds "CongDan " as "congdan"."""
    value = value.strip()
    return value if field == "id_number" else value.lower()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(BaseModel):
    id: str  # engine.dossier.new_id(): 16 lower-case hex digits
    username: str
    full_name: str
    email: str
    phone: str | None = None
    # The 12-digit số định danh cá nhân. An account stored before 2025 may still hold a
    # 9-digit CMND and must load; new input is checked by formats.check_id_number (forms, CLI).
    id_number: str | None = None
    password_hash: str
    role: Role = Role.CITIZEN
    agencies: list[str] = Field(default_factory=list)  # for clerks: agency codes
    active: bool = False  # a citizen's account is activated from an e-mail
    consent_at: dt.datetime | None = None  # consent to personal-data processing (Decree 13/2023/NĐ-CP)
    created_at: dt.datetime
    activated_at: dt.datetime | None = None
    sessions: list[str] = Field(default_factory=list)  # server-side session ids, newest last
    # A new address asked for on the profile page, until the link sent to it is followed.
    pending_email: str | None = None
    pending_email_at: dt.datetime | None = None  # when it was asked for
    token_nonce: str = Field(default_factory=new_nonce)
    version: int = 0  # storage's optimistic-concurrency token; 0 = never stored

    @field_validator("username", "email")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        # Looked up case-insensitively: "An.Nguyen" and "an.nguyen" are one account.
        return value.strip().lower()

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        check_username(value)
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        formats.check_email(value)
        return value

    @field_validator("pending_email")
    @classmethod
    def _pending_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        formats.check_email(value)
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        if value is not None:
            formats.check_recorded_id_number(value)
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None:
            formats.check_phone(value)
        return value


def to_actor(user: User) -> Actor:
    """The engine's view of a signed-in user, for lifecycle checks."""
    return Actor(id=user.id, name=user.full_name, role=user.role, agencies=frozenset(user.agencies))


# -- sessions and single-use links ---------------------------------------------------------


def with_session(user: User, session_id: str) -> User:
    """``user`` with one more session; beyond MAX_SESSIONS the oldest ends."""
    sessions = [s for s in user.sessions if s != session_id] + [session_id]
    return user.model_copy(update={"sessions": sessions[-MAX_SESSIONS:]})


def without_session(user: User, session_id: str) -> User:
    return user.model_copy(update={"sessions": [s for s in user.sessions if s != session_id]})


def link_consumed(user: User) -> User:
    """``user`` after a single-use link was followed: every link issued before is void."""
    return user.model_copy(update={"token_nonce": new_nonce()})


def with_password(user: User, password_hash: str, keep_session: str | None = None) -> User:
    """A new password: links issued before are void (a pending change of e-mail address
    too), and every session but ``keep_session`` ends."""
    sessions = [keep_session] if keep_session in user.sessions else []
    return user.model_copy(update={
        "password_hash": password_hash, "sessions": sessions, "token_nonce": new_nonce(),
        "pending_email": None, "pending_email_at": None,
    })


# -- changing the e-mail address -------------------------------------------------------------


class StaleLink(ValueError):
    """A link that may no longer be followed: the user's nonce changed since it was issued
    (followed already, or voided), or it confirms an address no longer pending."""

    def __init__(self, user: User) -> None:
        super().__init__(user.id)
        self.user = user


def with_email_change_requested(user: User, email: str, at: dt.datetime) -> User:
    """``user`` waiting to confirm ``email``: ``user.email`` stays until the link sent to
    the new address is followed. A newer request replaces an older one (whose link then
    no longer confirms anything). The caller has checked the current password and that
    no other account has the address."""
    email = lookup_key("email", email)
    formats.check_email(email)
    if email == user.email:
        raise ValueError("the new e-mail address is the current one")
    return user.model_copy(update={"pending_email": email, "pending_email_at": at})


def with_email_confirmed(user: User, nonce: str, email: str) -> User:
    """``user`` with the address ``email`` confirmed by a link signed with ``nonce``: the
    link (and every link issued before it, such as a reset link sent to the old address)
    is void. StaleLink when the link was followed already or the request was replaced.
    Saving it raises DuplicateUser when another account took the address meanwhile."""
    if user.token_nonce != nonce or user.pending_email is None or user.pending_email != email:
        raise StaleLink(user)
    return link_consumed(user).model_copy(update={"email": email, "pending_email": None, "pending_email_at": None})


# -- checks --------------------------------------------------------------------------------


def check_username(value: str) -> None:
    if not 4 <= len(value) <= 32:
        raise FormatProblem("{title} phải dài từ 4 đến 32 ký tự")
    if not USERNAME_PATTERN.fullmatch(value):
        raise FormatProblem("{title} chỉ được gồm chữ cái không dấu, chữ số, dấu chấm và dấu gạch dưới")


def check_password(password: str, username: str = "", known: Iterable[str] = ()) -> None:
    """Refuses (FormatProblem) a password that is short, only digits, the username, or easy
    to guess: zxcvbn (a well-kept estimator; writing our own would mean our own lists of
    common passwords) scores it against its lists, ours, and what the account says of its
    owner (``known``: name, e-mail)."""
    if password.isdigit():
        raise FormatProblem("{title} không được chỉ gồm chữ số")
    if username and password.strip().lower() == username.strip().lower():
        raise FormatProblem("{title} không được trùng với tên truy cập")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise FormatProblem("{title} phải có ít nhất 10 ký tự")
    texts = [fold(t) for t in (username, *known) if t]  # "Nguyễn Thu Hà" is typed "nguyenthuha"
    hints = [*texts, *(t.replace(" ", "") for t in texts), *(w for t in texts for w in re.split(r"[\s@._-]+", t) if w)]
    # Past 72 characters a password is long enough; zxcvbn refuses longer input.
    if zxcvbn(password[:72], user_inputs=[*hints, *COMMON_WORDS])["score"] < PASSWORD_MIN_SCORE:
        raise FormatProblem("{title} quá dễ đoán (một từ thông dụng, một tên, một ngày sinh...). Hãy dùng vài từ "
                            "ghép lại, ví dụ “hoa-sen-tim-1987”")


# -- password hashing ----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")  # PHC strings drop the padding


def _decoy_hash(hasher: PasswordHasher) -> str:
    """An encoded Argon2 hash in ``hasher``'s parameters that no password matches."""
    kind = hasher.type.name.lower()
    return (f"$argon2{kind}$v={argon2.low_level.ARGON2_VERSION}$m={hasher.memory_cost},t={hasher.time_cost},"
            f"p={hasher.parallelism}${_b64(secrets.token_bytes(hasher.salt_len))}${_b64(secrets.token_bytes(hasher.hash_len))}")


class Passwords:
    """Argon2id hashing (argon2-cffi). ``profile`` names one of ``argon2.profiles``:
    the default is the library's own; tests use CHEAPEST. A hash records its
    parameters, so changing the profile only makes ``needs_rehash`` true."""

    def __init__(self, profile: str = "RFC_9106_LOW_MEMORY") -> None:
        self._hasher = PasswordHasher.from_parameters(getattr(argon2.profiles, profile))
        # Verified against when the username is unknown, so that answering takes as
        # long as for a wrong password and does not tell which usernames exist. Written
        # rather than hashed: a hash with the profile's parameters, random salt and digest
        # costs a verification just the same, and hashing one cost every start 0.1-0.3 s.
        self._decoy = _decoy_hash(self._hasher)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``None`` (no such user) costs the same and is False."""
        try:
            self._hasher.verify(password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


# -- storage interface ---------------------------------------------------------------------


class DuplicateUser(ValueError):
    """Another account already has this username, e-mail or ID number (``field``); "id"
    when ``add`` is given the id of a stored user."""

    def __init__(self, field: UniqueField | Literal["id"], value: str) -> None:
        super().__init__(f"another account has this {field}: {value!r}")
        self.field = field


class UserNotFound(KeyError):
    pass


class UserRepository(Protocol):
    def add(self, user: User) -> User:
        """Store a new user; returns it with version 1. DuplicateUser names the first of
        username, email, id_number that another account already has."""

    def get(self, user_id: str) -> User | None: ...

    def get_by_username(self, username: str) -> User | None:
        """Case-insensitive, like every unique key."""

    def get_by_email(self, email: str) -> User | None: ...

    def get_by_id_number(self, id_number: str) -> User | None: ...

    def update(self, user: User) -> User:
        """Replace the stored user if its version still equals ``user.version``; returns
        it with the version incremented. ConflictError when stale, UserNotFound when
        absent, DuplicateUser when a changed unique field is taken."""

    def list(self, role: Role | None = None) -> list[User]:
        """Every user (of ``role``), by username: for administrators."""

    def count(self) -> int: ...


def modify(repo: UserRepository, user_id: str, change: Callable[[User], User], attempts: int = 5) -> User:
    """Apply ``change`` to the stored user and save it, reading again if another request
    saved it in between (a sign-in on a second device, say). UserNotFound if gone."""
    for attempt in range(1, attempts + 1):
        user = repo.get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        try:
            return repo.update(change(user))
        except ConflictError:
            if attempt == attempts:
                raise
    raise ValueError("attempts must be at least 1")
