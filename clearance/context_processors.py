"""Template context shared by every page: the portal's settings and the office menu."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clearance import access


def portal(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    officer = bool(user and user.is_authenticated and access.is_officer(user))
    return {
        "password_reset_url": settings.TASVIEH_PASSWORD_RESET_URL,
        "university_name": settings.TASVIEH_UNIVERSITY_NAME,
        "is_officer": officer,
        "office_waiting": access.waiting_counts(user) if officer else [],
    }
