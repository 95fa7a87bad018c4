"""Accounts, in the user guide's words: "Đăng ký", "Đăng nhập", "Thoát", "Xin chào: …".

"Đăng nhập" is the guide's dialog ("Một hộp thoại hiện lên…", in web/templates/base.html,
opened by web/static/js/login.js) posting to the login page's address; without
JavaScript the menu's link leads to that page, which shows a wrong password's error.

Registration creates an inactive citizen and e-mails an activation link; the password
is reset through a link by e-mail; the profile page updates personal data and the
password. A new e-mail address needs the current password and takes effect only once the
link sent to it is followed (the old address is told of the request). Pages that answer
about an e-mail address ("Gửi lại thư kích hoạt", "Quên mật khẩu") say the same whether
or not an account has it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from engine.accounts import (
    DuplicateUser,
    StaleLink,
    User,
    link_consumed,
    lookup_key,
    modify,
    with_email_change_requested,
    with_email_confirmed,
    with_password,
)
from engine.dossier import Role, new_id
from web import resources, tokens
from web.account_forms import ChangePasswordForm, EmailForm, LoginForm, ProfileForm, RegisterForm, ResetPasswordForm
from web.auth import current_user, log_in, log_out, login_required, passwords, safe_next, session_id, users
from web.limits import form_field, limiter, setting
from web.mail import send_mail

bp = Blueprint("accounts", __name__)

TAKEN = {
    "username": _l("Tên truy cập này đã có người sử dụng, vui lòng chọn tên khác"),
    "email": _l("Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác"),
    "id_number": _l("Số định danh cá nhân này đã được dùng cho một tài khoản khác"),
}
WRONG_LOGIN = _l("Tên truy cập hoặc mật khẩu không đúng")


def _now() -> dt.datetime:
    return resources.portal().now()


def _failed(response: Any) -> bool:
    """Only failed sign-ins count towards the per-username limit: a redirect is a success."""
    return response.status_code != 302


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail: on PUBLIC_URL when set, never on the Host header a
    visitor sent (which would let anyone have a reset link point at their own site)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _mail(user: User, kind: str) -> None:
    """Send the activation or password-reset e-mail; for a change of address, the
    confirmation link to the new (pending) address or the notice to the current one."""
    city = current_app.config["CITY_NAME"]
    subject = {
        "activate": _("Kích hoạt tài khoản Dịch vụ công trực tuyến %(city)s", city=city),
        "reset": _("Đặt lại mật khẩu Dịch vụ công trực tuyến %(city)s", city=city),
        "change_email": _("Xác nhận thư điện tử mới tài khoản Dịch vụ công trực tuyến %(city)s", city=city),
        "change_email_notice": _("Yêu cầu đổi địa chỉ thư điện tử tài khoản Dịch vụ công trực tuyến %(city)s",
                                 city=city),
    }[kind]
    to, link = user.email, None
    if kind == "activate":
        link = _link("accounts.activate", token=tokens.issue(tokens.ACTIVATION, user))
    elif kind == "reset":
        link = _link("accounts.reset_password", token=tokens.issue(tokens.PASSWORD_RESET, user))
    elif kind == "change_email":
        to = user.pending_email
        link = _link("accounts.confirm_email", token=tokens.issue(tokens.EMAIL_CHANGE, user, email=to))
    text = render_template(f"accounts/email/{kind}.txt", user=user, link=link, city=city,
                           new_email=_masked(user.pending_email or ""))
    send_mail(to, subject, text)


def _masked(email: str) -> str:
    """An address as the notice to the old one shows the new: "n•••@example.com"."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""


def _form_page(template: str, form: Any, **context: Any):
    """A page with a form: 422 when the form was posted and refused (errors beside the fields)."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


# -- Đăng ký ---------------------------------------------------------------------------------


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(setting("REGISTER_LIMIT_IP"), methods=["POST"])
def register():
    if current_user() is not None:
        return redirect(url_for("services.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return _form_page("accounts/register.html", form)
    now = _now()
    user = User(
        id=new_id(), username=form.username.data, full_name=form.full_name.data, email=form.email.data,
        phone=form.phone.data, id_number=form.id_number.data, password_hash=passwords().hash(form.password.data),
        role=Role.CITIZEN, active=False, consent_at=now, created_at=now,
    )
    try:
        user = users().add(user)
    except DuplicateUser as taken:
        getattr(form, taken.field).errors.append(str(TAKEN[taken.field]))
        return _form_page("accounts/register.html", form)
    _mail(user, "activate")
    return redirect(url_for("accounts.registered"))


@bp.get("/dang-ky/da-gui-thu")
def registered():
    return render_template("accounts/mail_sent.html", kind="registered")


@bp.route("/gui-lai-kich-hoat", methods=["GET", "POST"])
@limiter.limit(setting("MAIL_LIMIT_IP"), methods=["POST"])
@limiter.limit(setting("MAIL_LIMIT_ADDRESS"), key_func=form_field("email"), methods=["POST"])
def resend_activation():
    form = EmailForm()
    if not form.validate_on_submit():
        return _form_page("accounts/resend.html", form)
    user = users().get_by_email(form.email.data)
    if user is not None and not user.active:
        _mail(user, "activate")
    return render_template("accounts/mail_sent.html", kind="resent")


@bp.get("/kich-hoat/<token>")
def activate(token: str):
    try:
        user, nonce = tokens.redeem(tokens.ACTIVATION, token, users())
    except tokens.LinkUsed as used:
        return _link_problem("activate", "used-active" if used.user.active else "used")
    except tokens.LinkExpired:
        return _link_problem("activate", "expired")
    except tokens.LinkInvalid:
        return _link_problem("activate", "invalid")

    def activated(u: User) -> User:
        if u.token_nonce != nonce:
            raise tokens.LinkUsed(u)  # followed twice at once: the other request won
        return link_consumed(u).model_copy(update={"active": True, "activated_at": u.activated_at or _now()})

    try:
        modify(users(), user.id, activated)
    except tokens.LinkUsed:
        return _link_problem("activate", "used-active")
    flash(_("Tài khoản của bạn đã được kích hoạt. Mời bạn đăng nhập."), "success")
    return redirect(url_for("accounts.login"))


def _link_problem(kind: str, problem: str):
    status = 400 if problem == "invalid" else 410
    return render_template("accounts/link_problem.html", kind=kind, problem=problem), status


# -- Đăng nhập, Thoát ------------------------------------------------------------------------


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_LIMIT_IP"), methods=["POST"])
@limiter.limit(setting("LOGIN_LIMIT_USERNAME"), key_func=form_field("username"), methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return _form_page("accounts/login.html", form)
    user = users().get_by_username(form.username.data)
    if not passwords().verify(user.password_hash if user else None, form.password.data):
        return _form_page("accounts/login.html", form, problem=WRONG_LOGIN)
    if not user.active:
        return _form_page("accounts/login.html", form, inactive=True)
    if passwords().needs_rehash(user.password_hash):
        new_hash = passwords().hash(form.password.data)
        user = modify(users(), user.id, lambda u: u.model_copy(update={"password_hash": new_hash}))
    log_in(user)
    return redirect(safe_next(form.next.data) or url_for("services.home"))


@bp.get("/dang-nhap/ma-phien")
def login_token():
    """The session's CSRF token, for the "Đăng nhập" dialog of every page (web/static/js/
    login.js asks for it when the dialog opens): the pages themselves carry none, so that
    an anonymous visitor's page stays the same for everyone (web.page_cache) and sets no
    cookie. Another site cannot read it (no CORS); nobody's cache keeps it."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/thoat")
def logout():
    log_out()
    flash(_("Bạn đã thoát khỏi hệ thống."), "info")
    return redirect(url_for("services.home"))


# -- Quên mật khẩu ---------------------------------------------------------------------------


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(setting("MAIL_LIMIT_IP"), methods=["POST"])
@limiter.limit(setting("MAIL_LIMIT_ADDRESS"), key_func=form_field("email"), methods=["POST"])
def forgot_password():
    form = EmailForm()
    if not form.validate_on_submit():
        return _form_page("accounts/forgot.html", form)
    user = users().get_by_email(form.email.data)
    if user is not None:
        _mail(user, "reset")
    return render_template("accounts/mail_sent.html", kind="reset")


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user, nonce = tokens.redeem(tokens.PASSWORD_RESET, token, users())
    except tokens.LinkUsed:
        return _link_problem("reset", "used")
    except tokens.LinkExpired:
        return _link_problem("reset", "expired")
    except tokens.LinkInvalid:
        return _link_problem("reset", "invalid")
    form = ResetPasswordForm(account_username=user.username, account_known=(user.full_name, user.email))
    if not form.validate_on_submit():
        return _form_page("accounts/reset.html", form, user=user)
    new_hash = passwords().hash(form.password.data)

    def reset(u: User) -> User:
        if u.token_nonce != nonce:
            raise tokens.LinkUsed(u)
        # Every session ends; the link proved the address, so an inactive account is activated.
        changed = with_password(u, new_hash)
        return changed.model_copy(update={"active": True, "activated_at": u.activated_at or _now()})

    try:
        modify(users(), user.id, reset)
    except tokens.LinkUsed:
        return _link_problem("reset", "used")
    log_out()
    flash(_("Mật khẩu đã được đặt lại. Mời bạn đăng nhập bằng mật khẩu mới."), "success")
    return redirect(url_for("accounts.login"))


# -- Tài khoản ("Xin chào: …") ---------------------------------------------------------------


def _profile_page(profile: ProfileForm, password: ChangePasswordForm, status: int = 200):
    user = current_user()
    pending = user.pending_email if user.pending_email and user.pending_email_at and tokens.within(
        tokens.EMAIL_CHANGE, user.pending_email_at) else None
    return render_template("accounts/profile.html", form=profile, password_form=password,
                           pending_email=pending), status


def _profile_form(user: User, **kwargs: Any) -> ProfileForm:
    return ProfileForm(identity_required=user.role == Role.CITIZEN, account_email=user.email, **kwargs)


def _changes_email() -> bool:
    """Whether this request asks for a new e-mail address on the profile page: only
    those count towards the e-mail limits (a confirmation link goes out)."""
    user = current_user()
    if user is None or request.method != "POST":
        return False
    email = lookup_key("email", request.form.get("email", ""))
    return bool(email) and email != user.email


def _not_changing_email() -> bool:
    return not _changes_email()


def _account_key() -> str:
    user = current_user()
    return f"{request.endpoint}:user:{user.id if user else ''}"


@bp.route("/tai-khoan", methods=["GET", "POST"])
@limiter.limit(setting("MAIL_LIMIT_IP"), methods=["POST"], exempt_when=_not_changing_email)
@limiter.limit(setting("MAIL_LIMIT_ADDRESS"), key_func=form_field("email"), methods=["POST"],
               exempt_when=_not_changing_email)
@limiter.limit(setting("MAIL_LIMIT_ADDRESS"), key_func=_account_key, methods=["POST"], exempt_when=_not_changing_email)
@login_required
def profile():
    user = current_user()
    form = _profile_form(user, obj=user)
    password_form = ChangePasswordForm(account_username=user.username, account_known=(user.full_name, user.email),
                                       prefix="pw", formdata=None)
    if not form.validate_on_submit():
        return _profile_page(form, password_form, 422 if form.is_submitted() else 200)
    new_email = form.email.data if form.changes_email() else None
    if new_email is not None:
        # A stolen session must not be enough to redirect the account's mail elsewhere.
        if not passwords().verify(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng"))
            return _profile_page(form, password_form, 422)
        holder = users().get_by_email(new_email)
        if holder is not None and holder.id != user.id:
            form.email.errors.append(str(TAKEN["email"]))
            return _profile_page(form, password_form, 422)
    changes = {name: getattr(form, name).data or None for name in ("phone", "id_number")}
    changes |= {"full_name": form.full_name.data}
    now = _now()

    def update(u: User) -> User:
        changed = u.model_copy(update=changes)
        return with_email_change_requested(changed, new_email, now) if new_email is not None else changed

    try:
        user = modify(users(), user.id, update)
    except DuplicateUser as taken:
        getattr(form, taken.field).errors.append(str(TAKEN[taken.field]))
        return _profile_page(form, password_form, 422)
    if new_email is None:
        flash(_("Cập nhật thông tin thành công"), "success")
        return redirect(url_for("accounts.profile"))
    _mail(user, "change_email")
    _mail(user, "change_email_notice")
    flash(_("Cập nhật thông tin thành công. Địa chỉ thư điện tử chưa thay đổi: hãy mở liên kết xác nhận vừa "
            "được gửi đến %(email)s (có hiệu lực trong 48 giờ) để hoàn tất việc đổi địa chỉ.", email=new_email),
          "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/tai-khoan/xac-nhan-thu/<token>")
def confirm_email(token: str):
    """The link sent to a new address: following it makes that address the account's."""
    try:
        user, nonce, email = tokens.redeem_email_change(token, users())
    except tokens.LinkUsed:
        return _link_problem("email", "used")
    except tokens.LinkExpired:
        return _link_problem("email", "expired")
    except tokens.LinkInvalid:
        return _link_problem("email", "invalid")
    try:
        modify(users(), user.id, lambda u: with_email_confirmed(u, nonce, email))
    except StaleLink:
        return _link_problem("email", "used")  # followed twice at once: the other request won
    except DuplicateUser:
        # Another account took the address after it was asked for: nothing changes.
        return render_template("accounts/link_problem.html", kind="email", problem="taken", email=email), 409
    flash(_("Địa chỉ thư điện tử của tài khoản đã được đổi thành %(email)s.", email=email), "success")
    signed_in = current_user()
    return redirect(url_for("accounts.profile" if signed_in and signed_in.id == user.id else "accounts.login"))


@bp.post("/tai-khoan/mat-khau")
@login_required
def change_password():
    user = current_user()
    form = ChangePasswordForm(account_username=user.username, account_known=(user.full_name, user.email),
                              prefix="pw")
    profile_form = _profile_form(user, obj=user, formdata=None)
    if not form.validate():
        return _profile_page(profile_form, form, 422)
    if not passwords().verify(user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("Mật khẩu hiện tại không đúng"))
        return _profile_page(profile_form, form, 422)
    new_hash = passwords().hash(form.password.data)
    modify(users(), user.id, lambda u: with_password(u, new_hash, keep_session=session_id()))
    flash(_("Cập nhật thông tin thành công: mật khẩu đã được đổi, các phiên đăng nhập khác đã kết thúc."), "success")
    return redirect(url_for("accounts.profile"))
