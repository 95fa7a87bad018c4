"""E-mails to citizens about their dossiers: the portal's notifier (``operations.portal.Notifier``).

Every message says which dossier (service and date, receipt number once there is one,
and its summary: the few fields its author marked ``x-summary``, never an ID number, see
``engine.summary``) and links to it; none carries the applicant's ID number or the rest
of the form's content, since e-mail travels and is kept outside the portal. The links are built for the request
being answered (or on ``PUBLIC_URL``).
"""

from __future__ import annotations

from flask import current_app, render_template, url_for
from itsdangerous import URLSafeTimedSerializer

from engine.accounts import User
from engine.catalog import Service
from engine.dossier import Dossier
from web import resources

CONFIRM_SALT = "dossier-confirm"


def confirm_serializer() -> URLSafeTimedSerializer:
    """Signs the e-mailed confirmation links (``dossiers.confirm`` reads them)."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRM_SALT)


def _send(to: str, subject: str, template: str, **context) -> None:
    text = render_template(f"mail/{template}.txt", **context)
    resources.mailer().send(to, subject, text)


def _view_url(dossier: Dossier) -> str:
    return url_for("dossiers.view", dossier_id=dossier.id, _external=True)


class MailNotifier:
    def dossier_saved(self, owner: User, dossier: Dossier, service: Service) -> None:
        token = confirm_serializer().dumps({"d": dossier.id, "o": dossier.owner})
        _send(owner.email, f"Xác nhận hồ sơ: {service.info.name}", "dossier_saved", name=owner.full_name,
              dossier=dossier, service=service, confirm_url=url_for("dossiers.confirm", token=token, _external=True))

    def dossier_submitted(self, owner: User, dossier: Dossier, service: Service) -> None:
        _send(owner.email, f"Đã nộp hồ sơ: {service.info.name}", "dossier_submitted", name=owner.full_name,
              dossier=dossier, service=service, view_url=_view_url(dossier))

    def desk_action(self, owner: User, dossier: Dossier, service: Service, action: str, note: str) -> None:
        label = resources.workflow().labels.get(action, action)
        _send(owner.email, f"{label}: {service.info.name}", "desk_action", name=owner.full_name, dossier=dossier,
              service=service, action=action, label=label, note=note, view_url=_view_url(dossier))
