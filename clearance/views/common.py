"""What every page shares: clean parameters, the signed-in user, one way to run an action."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts import tables
from accounts.models import User
from clearance import access, services
from clearance.decisions import debts_recorded
from clearance.exceptions import ActionRefused
from clearance.forms import (
    ClearanceRequestForm,
)
from clearance.models import ClearanceRequest, Comment, Document, Event
from clearance.notifications import inbox
from persian.text import format_jalali, normalize_letters

T = TypeVar("T")


def param(request: HttpRequest, name: str) -> str:
    """A query parameter as clean text: PostgreSQL refuses NUL characters."""
    return request.GET.get(name, "").replace("\x00", "").strip()


def posted_note(request: HttpRequest) -> str:
    """An optional free-text note posted beside a form: no NULs, at most 2000 characters."""
    return normalize_letters(request.POST.get("note", "").replace("\x00", "")).strip()[:2000]


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def perform(
    request: HttpRequest, action: Callable[[], T], success: str | Callable[[T], str]
) -> T | None:
    """Run one action; tell the user it worked (and return its result), or why it was refused.

    Every action view goes through here, so a refused action is a message, never a 500.
    ``success`` may be a function of the result, when what happened depends on it.
    """
    try:
        result = action()
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def _timeline(clearance_request: ClearanceRequest, *, staff: bool) -> QuerySet[Event]:
    events = clearance_request.events.select_related("actor")
    if not staff:
        events = events.exclude(kind__in=[Event.Kind.CLAIMED, Event.Kind.RELEASED])
    return events


def _thread(
    clearance_request: ClearanceRequest, *, staff: bool
) -> tuple[list[Comment], list[Document]]:
    """The messages, each with its ``attachments``, and the request's own documents: all
    the request's documents are read in one query."""
    comments = clearance_request.comments.select_related("author")
    if not staff:
        comments = comments.filter(internal=False)
    thread = list(comments)
    for comment in thread:
        tables.attach(comment, "office")
    attached: dict[int | None, list[Document]] = defaultdict(list)
    for document in clearance_request.documents.select_related("uploaded_by"):
        attached[document.comment_id].append(document)
    for comment in thread:
        comment.attachments = attached[comment.pk]  # type: ignore[attr-defined]
    return thread, attached[None]


def request_detail_context(clearance_request: ClearanceRequest, *, staff: bool) -> dict[str, Any]:
    """What the request page shows; the request comes with ``access.REQUEST_PAGE_RELATED``."""
    comments, documents = _thread(clearance_request, staff=staff)
    timeline = list(_timeline(clearance_request, staff=staff))
    for event in timeline:
        tables.attach(event, "office")  # from the table's copy, not joined
    debts, debt_total = debts_recorded(timeline)
    return {
        "values": [
            (
                getattr(clearance_request._meta.get_field(name), "verbose_name", name),
                _display(clearance_request, name),
            )
            for name in ClearanceRequestForm.Meta.fields
        ],
        "timeline": timeline,
        "debts": debts,
        "debt_total": debt_total,
        "steps": access.chain_steps(clearance_request, timeline),
        "comments": comments,
        "documents": documents,
    }


def _display(obj: ClearanceRequest, name: str) -> Any:
    """A field's value as the page shows it (a date in Jalali; the template sets the digits)."""
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    return format_jalali(value) if isinstance(value, dt.date) else value


def officer(request: HttpRequest) -> User:
    user = current_user(request)
    if not access.is_officer(user):
        raise Http404
    return user


def notifications_seen(
    request: HttpRequest, *, request_id: int | None = None, task_id: int | None = None
) -> set[str]:
    """Mark read what this page is about (a student's request, an expert's task).

    Returns the kinds that were unread, so the page can open with its «your turn» banner;
    the bell's count follows without another query.
    """
    summary = inbox.unread(request)
    kinds = summary.kinds(request_id=request_id, task_id=task_id)
    if kinds or summary.truncated:  # older unread rows were not read: mark them all the same
        services.notifications_read(
            user=current_user(request), request_id=request_id, task_id=task_id
        )
        inbox.forget(request, request_id=request_id, task_id=task_id)
    return kinds


def latest_message(detail: dict[str, Any], *, from_office: bool) -> Comment | None:
    """The thread's latest message from an office (or from the student), read from the page's
    own thread so that no query is added."""
    detail["comments"] = comments = list(detail["comments"])
    for comment in reversed(comments):
        if not comment.internal and (comment.office_id is not None) == from_office:
            return comment
    return None


def latest_resubmission(detail: dict[str, Any]) -> Event | None:
    """The student's latest resubmission on the timeline (read from the page's own history)."""
    detail["timeline"] = timeline = list(detail["timeline"])
    return next((e for e in reversed(timeline) if e.kind == Event.Kind.RESUBMITTED), None)
