"""Template context shared by every page: the portal's settings, the office menu, the bell."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clearance import access
from clearance.notifications import inbox


def portal(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    officer = bool(user and user.is_authenticated and access.is_officer(user))
    return {
        "password_reset_url": settings.TASVIEH_PASSWORD_RESET_URL,
        "university_name": settings.TASVIEH_UNIVERSITY_NAME,
        "is_officer": officer,
        "office_waiting": access.waiting_counts(user) if officer else [],
        # One query, and only on pages that show the bell or a «your turn» mark.
        "unread": SimpleLazyObject(lambda: inbox.unread(request)),
    }
