"""The load balancer's health probe: is this app server able to serve pages?"""

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz"


def health_report() -> tuple[bool, dict[str, str]]:
    """Check each part the pages depend on; say which is down, and nothing personal."""
    parts: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        parts["database"] = "ok"
    except DatabaseError:
        parts["database"] = "unavailable"
    healthy = all(state == "ok" for state in parts.values())
    return healthy, parts


class HealthCheckMiddleware:
    """Answer /healthz before host validation, sessions or the HTTPS redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        healthy, parts = health_report()
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", **parts},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
