"""Single-use links sent by e-mail: account activation, password reset and the
confirmation of a new e-mail address.

A link carries the user id and the user's ``token_nonce``, signed (itsdangerous) with
the application's secret key and a salt per purpose, so an activation link cannot be
used to reset a password. It expires after the purpose's ``max_age``; following it
rotates the nonce (engine.accounts.link_consumed), which voids it and every link
issued before it. A link confirming a new address also carries that address, and only
confirms it while it is still the user's ``pending_email`` (a newer request voids it).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from engine.accounts import User, UserRepository


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: int  # seconds


ACTIVATION = Purpose("dichvucong.activate", 48 * 3600)
PASSWORD_RESET = Purpose("dichvucong.reset-password", 2 * 3600)
EMAIL_CHANGE = Purpose("dichvucong.change-email", 48 * 3600)


class LinkProblem(Exception):
    pass


class LinkInvalid(LinkProblem):
    """Not a link we signed (mistyped, cut short, or for another purpose), or its user is gone."""


class LinkExpired(LinkProblem):
    pass


class LinkUsed(LinkProblem):
    """Followed already, or superseded: the user's nonce changed since it was issued."""

    def __init__(self, user: User) -> None:
        super().__init__(user.id)
        self.user = user


def clock() -> float:
    """The time links are stamped and checked with; a function so tests can move it."""
    return time.time()


class _Signer(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock())


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose.salt, signer=_Signer)


def issue(purpose: Purpose, user: User, email: str | None = None) -> str:
    """A link's token; ``email``: the new address an EMAIL_CHANGE link confirms."""
    payload = {"u": user.id, "n": user.token_nonce}
    if email is not None:
        payload["e"] = email
    return _serializer(purpose).dumps(payload)


def redeem(purpose: Purpose, token: str, users: UserRepository) -> tuple[User, str]:
    """The link's user and nonce; LinkExpired, LinkInvalid or LinkUsed when it may not be followed.

    The nonce is returned so that the caller, saving the user, can check again that it
    is still current (two clicks at once must not both succeed)."""
    user, payload = _load(purpose, token, users)
    return user, payload["n"]


def redeem_email_change(token: str, users: UserRepository) -> tuple[User, str, str]:
    """An EMAIL_CHANGE link's user, nonce and new address, like ``redeem``; LinkUsed too
    when the address is no longer the one waiting for confirmation."""
    user, payload = _load(EMAIL_CHANGE, token, users)
    email = payload.get("e")
    if not isinstance(email, str):
        raise LinkInvalid(token)
    if user.pending_email != email:
        raise LinkUsed(user)  # confirmed already, replaced by a newer request, or cancelled
    return user, payload["n"], email


def within(purpose: Purpose, since: dt.datetime) -> bool:
    """Whether a link of ``purpose`` issued at ``since`` has not expired yet."""
    return clock() - since.timestamp() < purpose.max_age


def _load(purpose: Purpose, token: str, users: UserRepository) -> tuple[User, dict]:
    try:
        payload = _serializer(purpose).loads(token, max_age=purpose.max_age)
    except SignatureExpired:
        raise LinkExpired(token) from None
    except BadSignature:
        raise LinkInvalid(token) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), str):
        raise LinkInvalid(token)
    user = users.get(payload["u"])
    if user is None:
        raise LinkInvalid(token)
    if user.token_nonce != payload.get("n"):
        raise LinkUsed(user)
    return user, payload
