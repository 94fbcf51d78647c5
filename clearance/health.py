"""The load balancer's health probe: is this app server able to serve pages?"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

HEALTH_PATH = "/healthz"


def health_report() -> tuple[bool, dict[str, str]]:
    """Check each part the pages depend on; say which is down, and nothing personal.

    Only the database decides the answer: a stalled worker delays messages but every page
    still works, so the balancer must keep this app server (the report says "behind").
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False, {"database": "unavailable", "worker": "unknown"}
    try:
        worker = _worker_state()
    except DatabaseError:  # e.g. the queue's table is missing: migrations not applied
        worker = "unknown"
    return True, {"database": "ok", "worker": worker}


def _worker_state() -> str:
    """'behind' when a due message has waited longer than TASVIEH_WORKER_STALE_SECONDS."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.TASVIEH_WORKER_STALE_SECONDS)
    waiting = DBTaskResult.objects.ready().filter(enqueued_at__lt=stale)
    return "behind" if waiting.exists() else "ok"


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
