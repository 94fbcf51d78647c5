"""Where a request came from, for the history and for sign-in throttling."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind our reverse proxy, the one the proxy saw.

    Only the last X-Forwarded-For entry is trusted: that is the hop our own proxy added;
    anything before it was written by the client and could be forged.
    """
    if settings.TASVIEH_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
