"""The sign-in form (normalises the username, never the password) and the admin's forms."""

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    SetUnusablePasswordMixin,
)
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import directory, roles
from accounts.directory import normalize_username
from accounts.models import Faculty, Office

__all__ = ["LoginForm", "normalize_username"]


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not correct. Use your university account "
            "(the same as for e-mail)."
        ),
        "directory_unavailable": _(
            "The university directory is not answering; try again in a few minutes."
        ),
    }

    def clean_username(self) -> str:
        return normalize_username(self.cleaned_data.get("username", ""))

    def get_invalid_login_error(self) -> ValidationError:
        # A failed sign-in while the directory was down says so, rather than blaming the
        # password: the person would otherwise go and reset a password that is fine.
        if directory.is_unavailable(self.request):
            return ValidationError(
                self.error_messages["directory_unavailable"], code="directory_unavailable"
            )
        return super().get_invalid_login_error()


class AdminPasswordForm(AdminPasswordChangeForm):
    """Django's admin password form, with its warning translatable (Django's is not)."""

    usable_password_help_text = format_lazy(  # type: ignore[assignment]
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


MAX_UPLOAD_BYTES = 1024 * 1024


class RoleGrantForm(forms.Form):
    """Several users and one role, or a CSV of roles; ``grant_lines`` is what was asked."""

    usernames = forms.CharField(
        label=_("Usernames"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40, "dir": "ltr"}),
        help_text=_("One username per line, or separated by commas or spaces."),
    )
    office = forms.ModelChoiceField(Office.objects.all(), label=_("office"), required=False)
    faculty = forms.ModelChoiceField(
        Faculty.objects.filter(is_active=True),
        label=_("faculty"),
        required=False,
        help_text=_("Only for faculty offices."),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_(
            "One role per line: username, office, faculty (by code or by name; the faculty "
            "only for faculty offices). UTF-8 or Windows-1256, at most 1 MB."
        ),
    )
    # The previewed lines, posted back unchanged to confirm them.
    lines = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1_000_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("csv_file")
        if data.get("lines"):
            self.grant_lines = roles.grant_lines_read(data["lines"])
        elif upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is larger than 1 MB."))
            text = roles.decode_upload(upload.read())
            if text is None:
                raise ValidationError(_("The file is neither UTF-8 nor Windows-1256 text."))
            self.grant_lines = roles.grant_lines_read(text)
        elif data.get("usernames", "").strip():
            if not data.get("office"):
                self.add_error("office", _("Choose the office of the role to grant."))
                return data
            self.grant_lines = roles.grant_lines_for(
                usernames=data["usernames"], office=data["office"], faculty=data.get("faculty")
            )
        else:
            raise ValidationError(_("Give some usernames, or a CSV file."))
        if not self.grant_lines:
            raise ValidationError(_("The file has no lines to grant."))
        return data
