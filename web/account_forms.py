"""The account forms (WTForms through Flask-WTF, which adds the CSRF token).

Field checks reuse the engine's (engine.formats, engine.accounts): they raise a
FormatProblem whose Vietnamese template is translated here and given the field's label.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from engine import formats
from engine.accounts import check_password, check_username
from engine.formats import FormatProblem


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _compact(value: str | None) -> str | None:
    """Digits as people type them: "0912 345 678", "0912.345.678"."""
    return "".join(c for c in value if c not in " .-") if isinstance(value, str) else value


def _problem_message(problem: FormatProblem, label: str) -> str:
    message = gettext(problem.template).format(title=label)
    return message[:1].upper() + message[1:]


class Checked:
    """Validator: run an engine check (raising FormatProblem) on a non-empty value."""

    def __init__(self, check: Callable[[str], None]) -> None:
        self.check = check

    def __call__(self, form: FlaskForm, field) -> None:
        if field.data:
            try:
                self.check(field.data)
            except FormatProblem as problem:
                raise ValidationError(_problem_message(problem, str(field.label.text))) from None


class NewPassword:
    """Validator: the password rules (engine.accounts.check_password) against the form's username."""

    def __call__(self, form: FlaskForm, field) -> None:
        username = form.username.data if "username" in form else getattr(form, "account_username", "")
        known = [f.data for name in ("full_name", "email") if name in form and isinstance((f := form[name]).data, str)]
        known += getattr(form, "account_known", [])
        if field.data:
            try:
                check_password(field.data, username or "", known)
            except FormatProblem as problem:
                raise ValidationError(_problem_message(problem, str(field.label.text))) from None


def required(message: str) -> DataRequired:
    return DataRequired(message=message)


# Fields that several forms share; the profile's phone and ID number are required only
# of citizens (ProfileForm), registration's always.


def _full_name() -> StringField:
    return StringField(
        _l("Họ và tên"),
        [required(_l("Vui lòng nhập họ và tên")), Length(max=100, message=_l("Họ và tên dài quá 100 ký tự"))],
        filters=[_strip],
    )


def _email(description: str = "") -> EmailField:
    return EmailField(
        _l("Thư điện tử"), [required(_l("Vui lòng nhập địa chỉ thư điện tử")), Checked(formats.check_email)],
        filters=[_strip, _lower], description=description,
    )


def _phone(*validators) -> TelField:
    return TelField(_l("Số điện thoại"), [*validators, Checked(formats.check_phone)], filters=[_compact])


def _id_number(*validators) -> StringField:
    return StringField(
        _l("Số định danh cá nhân"), [*validators, Checked(formats.check_id_number)], filters=[_compact],
        description=_l("12 chữ số, in trên thẻ căn cước. Số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025."),
    )


def _new_password(label: str, missing: str) -> PasswordField:
    return PasswordField(
        label, [required(missing), NewPassword()],
        description=_l("Ít nhất 10 ký tự, khó đoán: vài từ ghép lại, không phải tên hay ngày sinh của bạn."),
    )


def _confirmation(label: str, missing: str) -> PasswordField:
    return PasswordField(label, [required(missing), EqualTo("password", message=_l("Mật khẩu nhập lại không khớp"))])


class RegisterForm(FlaskForm):
    full_name = _full_name()
    username = StringField(
        _l("Tên truy cập"), [required(_l("Vui lòng nhập tên truy cập")), Checked(check_username)],
        filters=[_strip, _lower],
        description=_l("Từ 4 đến 32 ký tự: chữ cái không dấu, chữ số, dấu chấm hoặc dấu gạch dưới."),
    )
    email = _email(_l("Thư kích hoạt tài khoản sẽ được gửi đến địa chỉ này."))
    phone = _phone(required(_l("Vui lòng nhập số điện thoại")))
    id_number = _id_number(required(_l("Vui lòng nhập số định danh cá nhân")))
    password = _new_password(_l("Mật khẩu"), _l("Vui lòng nhập mật khẩu"))
    confirm = _confirmation(_l("Nhập lại mật khẩu"), _l("Vui lòng nhập lại mật khẩu"))
    consent = BooleanField(
        _l("Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân của tôi nhằm giải quyết thủ tục hành chính, "
           "theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân."),
        [required(_l("Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để đăng ký tài khoản"))],
    )


class LoginForm(FlaskForm):
    username = StringField(_l("Tên truy cập"), [required(_l("Vui lòng nhập tên truy cập"))], filters=[_strip, _lower])
    password = PasswordField(_l("Mật khẩu"), [required(_l("Vui lòng nhập mật khẩu"))])
    next = HiddenField()


class EmailForm(FlaskForm):
    """"Gửi lại thư kích hoạt" and "Quên mật khẩu": one address."""

    email = _email()


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("Mật khẩu mới"), _l("Vui lòng nhập mật khẩu mới"))
    confirm = _confirmation(_l("Nhập lại mật khẩu mới"), _l("Vui lòng nhập lại mật khẩu mới"))

    def __init__(self, account_username: str, account_known: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.account_username = account_username
        self.account_known = list(account_known)  # the owner's name and e-mail: not to be the password


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), [required(_l("Vui lòng nhập mật khẩu hiện tại"))])


class ProfileForm(FlaskForm):
    """The profile ("Xin chào: …"). A new e-mail address also needs the current password,
    and takes effect only once the link sent to it is followed (web.accounts.profile)."""

    full_name = _full_name()
    email = _email(_l("Khi đổi địa chỉ, hệ thống gửi một liên kết xác nhận đến địa chỉ mới; "
                      "địa chỉ chỉ được thay đổi sau khi bạn mở liên kết đó."))
    current_password = PasswordField(
        _l("Mật khẩu hiện tại"), description=_l("Chỉ cần nhập khi đổi địa chỉ thư điện tử."),
    )
    phone = _phone()
    id_number = _id_number()

    def __init__(self, identity_required: bool, account_email: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.identity_required = identity_required  # citizens: dossiers are looked up by ID number
        self.account_email = account_email

    def changes_email(self) -> bool:
        return bool(self.email.data) and self.email.data != self.account_email

    def validate_current_password(self, field) -> None:
        if self.changes_email() and not field.data:
            raise ValidationError(gettext("Vui lòng nhập mật khẩu hiện tại để đổi địa chỉ thư điện tử"))

    def validate_phone(self, field) -> None:
        if self.identity_required and not field.data:
            raise ValidationError(gettext("Vui lòng nhập số điện thoại"))

    def validate_id_number(self, field) -> None:
        if self.identity_required and not field.data:
            raise ValidationError(gettext("Vui lòng nhập số định danh cá nhân"))
