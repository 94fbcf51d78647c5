"""The sign-in form: normalises the username (case, Persian digits), never the password."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clearance.persian import ascii_digits


def normalize_username(value: str) -> str:
    return ascii_digits(value).strip().lower()


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not correct. Use your university account "
            "(the same as for e-mail)."
        ),
    }

    def clean_username(self) -> str:
        return normalize_username(self.cleaned_data.get("username", ""))
