"""No ID number and no e-mailed link's token in the logs the portal and its server write.

A filter on the loggers they write through masks, in each record's message, its
arguments and its traceback text:

- an ID number: a run of 9 digits (CMND) or 12 (CCCD), or the same digits in groups of
  three as the lookup accepts them (``093 186 004 527``, ``093.186.004.527``, ``+`` or
  ``%20`` between the groups): every digit but the last three becomes ``*``
  (``*********527``). A run inside a word (``a0931860045b``, a dossier's hex id) is not
  one, nor is a dotted IPv4 address; a run just after a percent escape is
  (``next=/tra-cuu?q%3D093186004527``);
- the token of a link the portal e-mails, in any address (the request line, a Referer, a
  ``next=``, whose slashes may be ``%2F``; a path quoted without its first slash):
  account activation ``/kich-hoat/<token>``,
  password reset ``/dat-lai-mat-khau/<token>``, a new e-mail address
  ``/tai-khoan/xac-nhan-thu/<token>``, a dossier's confirmation
  ``/ho-so/xac-nhan/<token>``; the token becomes ``***``.

The loggers (``SERVER_LOGGERS`` and the app's): werkzeug's, whose request log
``dichvucong run --dev`` prints; Flask's app logger (``web``); gunicorn's ``gunicorn.error``
and ``gunicorn.access`` (``dichvucong run``, web/server.py), which gunicorn picks up by name
when it configures its logging (the filter stays on them whatever handlers it gives them);
and every logger of the portal's
own packages that exists when the app is made (``operations.mail``, ...). A logger's filter
sees the records logged on that logger, not those a child passes up: a module that adds
a logger of its own after start-up is not covered, hence the ones named here.

The lookup no longer puts ID numbers in addresses (it posts them, ``web.lookup``); this
is for what still does: an old bookmark, a mistyped address, an exception's text. An
access log kept by a reverse proxy in front of the portal is outside its reach: nginx or
the load balancer must not log query strings of ``/tra-cuu`` (none is needed any more)
and must mask those link paths itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from flask import Flask

SERVER_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")
PORTAL_PACKAGES = ("web", "operations", "engine", "storage", "renderers")

# The paths of the links the portal e-mails (web/accounts.py, web/dossiers.py), each
# followed by the token; tests/web/test_access_log.py checks that the app's routes with
# a <token> in those blueprints are all here.
LINK_PATHS = ("/kich-hoat/", "/dat-lai-mat-khau/", "/tai-khoan/xac-nhan-thu/", "/ho-so/xac-nhan/")
TOKEN_MASK = "***"

_SLASH = r"(?:/|%2[Ff])"
# The path where a word starts (after a slash, an escaped one, a space or nothing:
# "/kich-hoat/", "%2Fkich-hoat%2F", an exception's "kich-hoat/"), then the token: the
# segment after it, up to the next slash, query, fragment, escape, quote or space.
_LINK = re.compile(
    r"((?:(?<![0-9A-Za-z_\-])|(?<=%2[Ff]))(?:"
    + "|".join(_SLASH.join(re.escape(part) for part in path.strip("/").split("/")) for path in LINK_PATHS)
    + ")" + _SLASH + r")([^\s/?#&%\"'<>\\]+)"
)
# Not a digit or a letter before (unless it ends a percent escape, as %3D, "="), none after.
_BEFORE = r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))"
_AFTER = r"(?![0-9A-Za-z])"
_SEPARATOR = r"(?:%20|[ .+\-])"
_ID_NUMBER = re.compile(
    _BEFORE + r"(?:\d{12}|\d{9}|\d{3}(?P<sep>" + _SEPARATOR + r")\d{3}(?P=sep)\d{3}(?:(?P=sep)\d{3})?)" + _AFTER
)


def _masked_number(match: re.Match[str]) -> str:
    found, separator = match.group(0), match.group("sep")
    if separator == "." and _is_ipv4(found):
        return found
    groups = found.split(separator) if separator else [found]
    digits = "".join(groups)
    kept = "*" * (len(digits) - 3) + digits[-3:]
    out, start = [], 0
    for group in groups:
        out.append(kept[start:start + len(group)])
        start += len(group)
    return (separator or "").join(out)


def _is_ipv4(text: str) -> bool:
    groups = text.split(".")
    return len(groups) == 4 and all(not g.startswith("0") and int(g) <= 255 for g in groups)


def mask(text: str) -> str:
    """``text`` with its ID numbers and e-mailed links' tokens masked."""
    text = _LINK.sub(lambda m: m.group(1) + TOKEN_MASK, text)
    return _ID_NUMBER.sub(_masked_number, text)


def _masked_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(mask(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, MutableMapping):  # gunicorn's access log: a dict of "atoms", kept as its own type
        for key, value in list(args.items()):
            if isinstance(value, str):
                args[key] = mask(value)
        return args
    if isinstance(args, Mapping):
        return {key: mask(value) if isinstance(value, str) else value for key, value in args.items()}
    return args


class MaskingFilter(logging.Filter):
    """Masks the record in place and lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        record.args = _masked_args(record.args)
        try:
            message = record.getMessage()
        except Exception:  # the handler reports the broken format string, with the masked parts
            pass
        else:
            masked = mask(message)
            if masked != message:  # an argument that is not a string (an exception, an object) held one
                record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            # What the handler's formatter would write, cached on the record as formatters do.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


FILTER = MaskingFilter()
_installed: set[str] = set()


def install(names: Iterable[str]) -> None:
    """Put the filter on the loggers named (once each, however often it is called)."""
    for name in names:
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
        _installed.add(name)


def uninstall() -> None:
    """Take the filter off again (tests: what the logs say without it)."""
    for name in _installed:
        logging.getLogger(name).removeFilter(FILTER)
    _installed.clear()


def installed() -> frozenset[str]:
    return frozenset(_installed)


def init_app(app: Flask) -> None:
    own = [name for name in list(logging.root.manager.loggerDict) if name.split(".")[0] in PORTAL_PACKAGES]
    install([*SERVER_LOGGERS, app.logger.name, *own])
