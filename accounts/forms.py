"""The sign-in form: normalises the username (case, Persian digits), never the password."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import directory
from accounts.directory import normalize_username

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
