"""The sign-in throttle: django-axes, with a limit of its own for each kind of attacker.

``AXES_LOCKOUT_PARAMETERS`` counts failures three ways (see clearance.settings): one
username from one address (someone guessing a password), one address across usernames
(password spraying), one username across addresses (a botnet on one account). django-axes
compares every count with one limit; here each count is first put on the scale of that
limit, so each way keeps its own (``TASVIEH_LOGIN_*FAILURE_LIMIT``).
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def _limit(parameter: str | list[str], base: int) -> int:
    """The limit of one way of counting; a username from one address keeps axes' own."""
    if parameter == "ip_address":
        return int(settings.TASVIEH_LOGIN_ADDRESS_FAILURE_LIMIT)
    if parameter == "username":
        return int(settings.TASVIEH_LOGIN_USERNAME_FAILURE_LIMIT)
    return base


class SignInThrottle(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        base = get_failure_limit(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(
            get_lockout_parameters(request, credentials),
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # failures * base // limit reaches base exactly when failures reaches limit.
            scaled.append(failures * base // max(1, _limit(parameter, base)))
        return max(scaled)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A right password clears its username's failures, not its address's other ones.

        (axes would clear every count that matches, so a sprayer signing in to their own
        account from the same address would wipe the evidence.)
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
