"""Single-use links sent by e-mail: account activation and password reset.

A link carries the user id and the user's ``token_nonce``, signed (itsdangerous) with
the application's secret key and a salt per purpose, so an activation link cannot be
used to reset a password. It expires after the purpose's ``max_age``; following it
rotates the nonce (engine.accounts.link_consumed), which voids it and every link
issued before it.
"""

from __future__ import annotations

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


def issue(purpose: Purpose, user: User) -> str:
    return _serializer(purpose).dumps({"u": user.id, "n": user.token_nonce})


def redeem(purpose: Purpose, token: str, users: UserRepository) -> tuple[User, str]:
    """The link's user and nonce; LinkExpired, LinkInvalid or LinkUsed when it may not be followed.

    The nonce is returned so that the caller, saving the user, can check again that it
    is still current (two clicks at once must not both succeed)."""
    try:
        payload = _serializer(purpose).loads(token, max_age=purpose.max_age)
    except SignatureExpired:
        raise LinkExpired(token) from None
    except BadSignature:
        raise LinkInvalid(token) from None
    user = users.get(payload["u"])
    if user is None:
        raise LinkInvalid(token)
    if user.token_nonce != payload["n"]:
        raise LinkUsed(user)
    return user, payload["n"]
