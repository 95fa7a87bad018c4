"""E-mails to citizens about their dossiers.

Every message says which dossier (service and date, receipt number once there is one)
and links to it; none carries the applicant's ID number or the form's content, since
e-mail travels and is kept outside the portal.
"""

from __future__ import annotations

from flask import render_template, url_for

from engine.catalog import Service
from engine.dossier import Dossier
from engine.lifecycle import ACTION_LABELS
from web.mail import send_mail


def _send(to: str, subject: str, template: str, **context) -> None:
    text = render_template(f"mail/{template}.txt", **context)
    send_mail(to, subject, text)


def dossier_saved(email: str, name: str, dossier: Dossier, service: Service, confirm_url: str) -> None:
    _send(email, f"Xác nhận hồ sơ: {service.info.name}", "dossier_saved", name=name, dossier=dossier,
          service=service, confirm_url=confirm_url)


def dossier_submitted(email: str, name: str, dossier: Dossier, service: Service) -> None:
    _send(email, f"Đã nộp hồ sơ: {service.info.name}", "dossier_submitted", name=name, dossier=dossier,
          service=service, view_url=url_for("dossiers.view", dossier_id=dossier.id, _external=True))


def desk_action(email: str, name: str, dossier: Dossier, service: Service, action: str, note: str = "") -> None:
    """The citizen hears of every step the desk takes (accept, supplement, reject, result,
    hand-over, new appointment), with a link to the dossier."""
    label = ACTION_LABELS.get(action, action)
    _send(email, f"{label}: {service.info.name}", "desk_action", name=name, dossier=dossier, service=service,
          action=action, label=label, note=note,
          view_url=url_for("dossiers.view", dossier_id=dossier.id, _external=True))
